"""`px.cast`: a copy of a module whose floating-point parameters have another dtype."""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import ArgumentError
from ._functional import parameters, update_parameters
from ._module import Module

_M = TypeVar("_M", bound=Module)


def cast(module: _M, dtype: Any) -> _M:
    """A copy of `module` whose floating-point parameters are cast to `dtype`.

    State (running statistics, counters, PRNG keys), integer parameters and static
    fields are untouched, and so is `module`. For mixed-precision *training* keep the
    parameters in float32 and set the layers' `dtype` instead (see docs/layers.md).

    **Arguments:** `module`, a purepax module; `dtype`, a floating-point dtype
    (`jnp.bfloat16`, `jnp.float16`, `jnp.float32`, ...).

    **Returns:** the cast copy, of the same type.

    ```python
    model = nn.Linear(3, 2, key=jax.random.key(0))
    half = px.cast(model, jnp.bfloat16)   # half.weight.dtype is bfloat16; model is unchanged
    ```
    """
    if not isinstance(module, Module):
        raise ArgumentError(
            f"px.cast takes a purepax module, got {type(module).__name__}."
        )
    target = jnp.dtype(dtype)
    if not jnp.issubdtype(target, jnp.floating):
        raise ArgumentError(
            f"px.cast casts floating-point parameters, so dtype must be a floating-point dtype, "
            f"got {target}."
        )

    def convert(x: Any) -> Any:
        if isinstance(x, (jax.Array, np.ndarray)) and jnp.issubdtype(
            x.dtype, jnp.floating
        ):
            return x.astype(target)
        if isinstance(x, jax.ShapeDtypeStruct) and jnp.issubdtype(
            x.dtype, jnp.floating
        ):
            return jax.ShapeDtypeStruct(x.shape, target, sharding=x.sharding)  # type: ignore[no-untyped-call, unused-ignore]
        return x

    cast_parameters: _M = jax.tree_util.tree_map(convert, parameters(module))
    return update_parameters(module, cast_parameters)
