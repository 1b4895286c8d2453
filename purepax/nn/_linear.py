"""`Linear`: an affine map on the last axis."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._fields import static
from .._module import Module


class Linear(Module):
    """An affine map `x @ weight + bias` on the last axis of `(*batch, in_features)`.

    Initialised as PyTorch's `nn.Linear`: weight and bias uniform in
    `[-1/sqrt(in_features), 1/sqrt(in_features)]`.

    **Arguments:** `in_features`, `out_features`; keyword-only `use_bias`, `dtype` (the
    computation dtype; `None` follows the input), `param_dtype` (storage), `key`.

    ```python
    layer = nn.Linear(3, 4, key=jax.random.key(0))
    y = layer(jnp.ones((2, 3)))  # (2, 4)
    ```
    """

    weight: Float[Array, "in out"]
    bias: Float[Array, "out"] | None
    in_features: int = static()
    out_features: int = static()
    dtype: Any = static()

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        wkey, bkey = jax.random.split(key)
        bound = 1 / math.sqrt(in_features)
        self.weight = jax.random.uniform(wkey, (in_features, out_features), param_dtype, -bound, bound)
        self.bias = jax.random.uniform(bkey, (out_features,), param_dtype, -bound, bound) if use_bias else None
        self.in_features = in_features
        self.out_features = out_features
        self.dtype = dtype

    def __call__(self, x: Float[Array, "*batch in"]) -> Float[Array, "*batch out"]:
        dtype = self.dtype if self.dtype is not None else x.dtype
        y = x.astype(dtype) @ self.weight.astype(dtype)
        if self.bias is not None:
            y = y + self.bias.astype(dtype)
        return y
