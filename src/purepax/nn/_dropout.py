"""`Dropout`: a layer whose PRNG key is state, advanced on every training call."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import state, static
from .._module import Module


class Dropout(Module):
    """Dropout (Srivastava et al., 2014) that carries its own PRNG key.

    - Training mode (the default): zeroes each entry with probability `rate` and scales
      the others by `1 / (1 - rate)`, so the expected output equals the input. The mask
      is drawn from a fresh subkey, and the layer's `key` (state) is advanced
      (`jax.random.split`) on every such call, so the next call draws a new mask. That is
      a mutation: call it through `px.purecall` / `px.pure` (inside `px.jit`,
      `jax.lax.scan`, ... too; the model is then returned with its new key).
    - Eval mode (`px.eval_mode`): the identity, a read-only call.

    No parameters; the output has the input's dtype.

    **Arguments:** `rate` (in `[0, 1]`); keyword-only `key` (a PRNG key, as made by
    `jax.random.key` or `jax.random.PRNGKey`).

    **Returns:** an array of the input's shape and dtype.

    ```python
    drop = nn.Dropout(0.5, key=jax.random.key(0))
    drop, y = px.purecall(drop, jnp.ones(8))  # training: entries are 0 or 2
    y = px.eval_mode(drop)(jnp.ones(8))       # eval: the identity
    ```
    """

    key: PRNGKeyArray = state()
    rate: float = static()

    def __init__(self, rate: float, *, key: PRNGKeyArray) -> None:
        if not 0 <= rate <= 1:
            raise ArgumentError(
                f"Dropout: rate={rate} must be in [0, 1] (the probability of zeroing an entry)."
            )
        self.rate = float(rate)
        self.key = key

    def __call__(self, x: Float[Array, "*dims"]) -> Float[Array, "*dims"]:
        if not self.training:
            return x
        key, mask_key = jax.random.split(self.key)
        self.key = key
        if self.rate == 0:
            return x
        if self.rate == 1:
            return jnp.zeros_like(x)
        keep = 1 - self.rate
        kept = jax.random.bernoulli(mask_key, keep, x.shape)
        return jnp.where(kept, x / jnp.asarray(keep, x.dtype), jnp.zeros((), x.dtype))
