"""The computation dtype of a layer: `dtype` if given, else the inputs' (mixed precision).

A layer stores its parameters in `param_dtype` and computes in `dtype`. With
`dtype=None` it follows a floating-point input, so bfloat16 activations with float32
parameters compute in bfloat16; for integer inputs (token ids) it follows the parameters.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import jax
import jax.numpy as jnp

DType: TypeAlias = (
    Any  # what `jnp.dtype` accepts: jnp.float32, "bfloat16", np.dtype(...)
)


def compute_dtype(dtype: DType | None, x: jax.Array, param: jax.Array) -> Any:
    """The dtype a layer computes in, given its `dtype` option, its input and a parameter."""
    if dtype is not None:
        return jnp.dtype(dtype)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return x.dtype
    return jnp.result_type(x.dtype, param.dtype)
