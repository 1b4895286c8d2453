"""`MultiHeadAttention`: scaled dot-product attention over several heads."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import static
from .._module import Module
from ._linear import Linear


class MultiHeadAttention(Module):
    """Multi-head attention (Vaswani et al., 2017) with projections `q_proj`, `k_proj`,
    `v_proj` and `out_proj` (each an `nn.Linear(dim, dim)`, initialised as `nn.Linear`).

    Called as `mha(q, k, v, *, mask=None, causal=False)` on `(*batch, time, dim)` arrays
    (`k` and `v` share their time axis, which may differ from `q`'s). Head `h` takes the
    contiguous block `h*d:(h+1)*d` of the projected features (`d = dim // num_heads`);
    scores are scaled by `1/sqrt(d)` and the softmax runs in float32 whatever the
    computation dtype. `mask` (True = attend) broadcasts to `(*batch, num_heads, time_q,
    time_k)`; `causal=True` lets query `i` attend to keys `0..i` only; given both, a key
    is attended where both allow it. No state: calling it is read-only.

    **Arguments:** `num_heads` (must divide `dim`), `dim`; keyword-only `use_bias` (of
    the four projections), `dtype` (computation dtype; `None` follows the input),
    `param_dtype`, `sharding`, `key`. `sharding` names the mesh axis the heads are split
    over (tensor parallelism as in Megatron-LM: `q_proj`, `k_proj`, `v_proj` split their
    outputs, `(None, axis)`, and `out_proj` its inputs, `(axis, None)`, so each device
    computes whole heads); `None` (default): replicated.

    **Returns:** `(*batch, time_q, dim)`.

    ```python
    mha = nn.MultiHeadAttention(2, 8, key=jax.random.key(0))
    x = jnp.ones((3, 5, 8))
    y = mha(x, x, x, causal=True)  # (3, 5, 8)
    ```
    """

    q_proj: Linear
    k_proj: Linear
    v_proj: Linear
    out_proj: Linear
    num_heads: int = static()
    dim: int = static()
    dtype: Any = static()

    def __init__(
        self,
        num_heads: int,
        dim: int,
        *,
        use_bias: bool = True,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        sharding: str | None = None,
        key: PRNGKeyArray,
    ) -> None:
        if num_heads < 1 or dim % num_heads:
            raise ArgumentError(f"MultiHeadAttention: num_heads={num_heads} must be positive and divide dim={dim}.")
        qkey, kkey, vkey, okey = jax.random.split(key, 4)
        if sharding is not None and not isinstance(sharding, str):
            raise ArgumentError(
                f"MultiHeadAttention: sharding={sharding!r}; give the name of the mesh axis that "
                'splits the heads, e.g. sharding="model" (or None to replicate).'
            )
        options: dict[str, Any] = {"use_bias": use_bias, "dtype": dtype, "param_dtype": param_dtype}
        split_outputs, split_inputs = (None, sharding), (sharding, None)
        self.q_proj = Linear(dim, dim, key=qkey, sharding=split_outputs if sharding else None, **options)
        self.k_proj = Linear(dim, dim, key=kkey, sharding=split_outputs if sharding else None, **options)
        self.v_proj = Linear(dim, dim, key=vkey, sharding=split_outputs if sharding else None, **options)
        self.out_proj = Linear(dim, dim, key=okey, sharding=split_inputs if sharding else None, **options)
        self.num_heads = num_heads
        self.dim = dim
        self.dtype = dtype

    def __call__(
        self,
        q: Float[Array, "*batch time_q dim"],
        k: Float[Array, "*batch time_k dim"],
        v: Float[Array, "*batch time_k dim"],
        *,
        mask: Bool[Array, "..."] | None = None,
        causal: bool = False,
    ) -> Float[Array, "*batch time_q dim"]:
        heads, d = self.num_heads, self.dim // self.num_heads
        dtype = self.dtype if self.dtype is not None else q.dtype

        def split(x: jax.Array) -> jax.Array:  # (*batch, time, dim) -> (*batch, time, heads, d)
            return x.reshape(*x.shape[:-1], heads, d)

        query = split(self.q_proj(q.astype(dtype)))
        key = split(self.k_proj(k.astype(dtype)))
        value = split(self.v_proj(v.astype(dtype)))
        scores = jnp.einsum("...qhd,...khd->...hqk", query / jnp.asarray(math.sqrt(d), dtype), key)
        scores = scores.astype(jnp.promote_types(scores.dtype, jnp.float32))
        allowed = None if mask is None else jnp.asarray(mask, bool)
        if causal:
            time_q, time_k = q.shape[-2], k.shape[-2]
            lower = jnp.tril(jnp.ones((time_q, time_k), bool))
            allowed = lower if allowed is None else jnp.logical_and(allowed, lower)
        if allowed is not None:
            allowed = jnp.broadcast_to(allowed, scores.shape)
            scores = jnp.where(allowed, scores, np.finfo(scores.dtype).min)
        weights = jax.nn.softmax(scores, axis=-1).astype(dtype)
        out = jnp.einsum("...hqk,...khd->...qhd", weights, value)
        return self.out_proj(out.reshape(*out.shape[:-2], self.dim))
