"""`RotaryPositionalEmbedding`: positions as rotations of feature pairs (RoFormer)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

from .._errors import ArgumentError
from .._fields import static
from .._module import Module


class RotaryPositionalEmbedding(Module):
    """Rotary position embedding (Su et al., 2021, "RoFormer", eq. 34): rotates each pair of
    features of the vector at position `m` by the angle `m * theta_i`, with
    `theta_i = theta ** (-2i / dim)` for pair `i = 0 .. dim/2 - 1`.

    Applied to queries and keys, it makes their dot product depend on the positions only
    through their difference. Pair `i` is features `(2i, 2i+1)` with `interleaved=True`
    (RoFormer's pairing, as in GPT-J and Meta's LLaMA code), or features `(i, i + dim/2)`
    with `interleaved=False` (the "rotate half" pairing of GPT-NeoX, Hugging Face LLaMA and
    Equinox's `RotaryPositionalEmbedding`). No parameters; the angles are computed in
    float32 and the output has the input's dtype.

    **Arguments:** `dim` (even: the size of the last axis it rotates); keyword-only
    `theta` (the base, 10000 in RoFormer) and `interleaved`.

    **Returns:** called as `rope(x, positions=None)` on `(*batch, time, dim)`, the rotated
    `x` of the same shape. `positions` (integers) broadcast to `(*batch, time)`; `None`
    means `0 .. time-1`.

    ```python
    rope = nn.RotaryPositionalEmbedding(8)
    x = jnp.ones((2, 5, 8))
    y = rope(x)                                # positions 0..4
    z = rope(x[:, -1:], positions=jnp.array([4]))
    assert jnp.allclose(y[:, -1:], z)
    ```
    """

    dim: int = static()
    theta: float = static()
    interleaved: bool = static()

    def __init__(
        self, dim: int, *, theta: float = 10_000.0, interleaved: bool = True
    ) -> None:
        if dim < 2 or dim % 2:
            raise ArgumentError(
                f"RotaryPositionalEmbedding: dim={dim} must be even and positive (it rotates pairs of "
                "features); give the size of the axis it rotates, e.g. the head size of an attention layer."
            )
        if not theta > 1:
            raise ArgumentError(
                f"RotaryPositionalEmbedding: theta={theta} must be above 1 (RoFormer's is 10000)."
            )
        self.dim = dim
        self.theta = float(theta)
        self.interleaved = bool(interleaved)

    def __call__(
        self,
        x: Float[Array, "*batch time dim"],
        positions: Int[Array, "*#batch time"] | None = None,
    ) -> Float[Array, "*batch time dim"]:
        if x.shape[-1] != self.dim:
            raise ArgumentError(
                f"RotaryPositionalEmbedding: x has {x.shape[-1]} features on its last axis, but the layer "
                f"rotates dim={self.dim}. Build it with the size of the axis it is applied to."
            )
        if positions is None:
            positions = jnp.arange(x.shape[-2])
        half = self.dim // 2
        frequencies = self.theta ** (
            -jnp.arange(half, dtype=jnp.float32) * 2 / self.dim
        )
        angles = (
            jnp.asarray(positions, jnp.float32)[..., None] * frequencies
        )  # (*batch, time, half)
        cos, sin = jnp.cos(angles), jnp.sin(angles)
        x32 = x.astype(jnp.promote_types(x.dtype, jnp.float32))
        if self.interleaved:
            first, second = x32[..., 0::2], x32[..., 1::2]
        else:
            first, second = x32[..., :half], x32[..., half:]
        rotated_first = first * cos - second * sin
        rotated_second = second * cos + first * sin
        if self.interleaved:
            out = jnp.stack([rotated_first, rotated_second], axis=-1).reshape(x.shape)
        else:
            out = jnp.concatenate([rotated_first, rotated_second], axis=-1)
        return out.astype(x.dtype)


def rotate_heads(
    rope: RotaryPositionalEmbedding,
    x: Float[Array, "*batch time heads d"],
    positions: jax.Array,
) -> Float[Array, "*batch time heads d"]:
    """`rope` applied to every head of `x` (the head axis after the time axis)."""
    return rope(jnp.swapaxes(x, -2, -3), positions).swapaxes(-2, -3)
