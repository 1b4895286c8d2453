"""`Linear` (an affine map of the last axis) and `Identity`."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, Shaped

from .._fields import Sharding, static
from .._module import Module
from .._sharding import check_axes, matmul
from ._init import Initializer, default_kernel_init, parameter
from ._precision import DType, compute_dtype

_T = TypeVar("_T")


class Linear(Module):
    """An affine map of the last axis: `x @ weight + bias`.

    The weight is initialised as in Flax (LeCun normal: a truncated normal with variance
    `1 / in_features`), the bias with zeros, unless `kernel_init` or `bias_init` say
    otherwise.

    **Arguments:**

    - `in_features`, `out_features`: the sizes of the input's and the output's last axis.
    - `use_bias`: whether to add a bias (else the field `bias` is `None`).
    - `kernel_init`, `bias_init`: initializers `(key, shape, dtype) -> array` (any of
      `jax.nn.initializers`), called as Flax's `Dense` calls them: `kernel_init(key,
      (in_features, out_features), param_dtype)`, `bias_init(fold_in(key, 1),
      (out_features,), param_dtype)`. `None`: the defaults above.
    - `dtype`: the computation dtype; `None` follows a floating-point input.
    - `param_dtype`: the dtype the parameters are stored in (float32 by default).
    - `sharding`: how the weight `(in_features, out_features)` is laid out over a mesh,
      one mesh-axis name (or `None`) per dimension: `(None, "model")` splits the outputs
      (column-parallel; the bias follows), `("model", None)` the inputs (row-parallel;
      the bias is replicated). `None` (default): replicated. See `px.partition_specs`.
    - `key`: the PRNG key that draws the weight.

    **Returns:** called on `(*batch, in_features)`, an array `(*batch, out_features)`.

    ```python
    layer = nn.Linear(3, 4, key=jax.random.key(0))
    y = layer(jnp.ones((2, 3)))   # (2, 4)
    ```
    """

    weight: Float[Array, "in_features out_features"]
    bias: Float[Array, "out_features"] | None
    in_features: int
    out_features: int
    use_bias: bool
    dtype: DType | None
    sharding: Sharding = static(repr=False)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        sharding: Sharding = None,
        key: PRNGKeyArray,
    ) -> None:
        self.sharding = check_axes(
            "Linear", "the weight", sharding, (in_features, out_features)
        )
        shape = (in_features, out_features)
        self.weight = parameter(
            "Linear",
            "kernel_init",
            kernel_init,
            default_kernel_init,
            key,
            shape,
            param_dtype,
        )
        self.bias = (
            parameter(
                "Linear",
                "bias_init",
                bias_init,
                jax.nn.initializers.zeros,
                key,
                (out_features,),
                param_dtype,
                stream=1,
            )
            if use_bias
            else None
        )
        self.in_features = in_features
        self.out_features = out_features
        self.use_bias = use_bias
        self.dtype = dtype

    def __field_shardings__(self) -> dict[str, Sharding]:
        if self.sharding is None:
            return {}
        return {"weight": self.sharding, "bias": self.sharding[-1:]}

    def __call__(
        self, x: Float[Array, "*batch in_features"]
    ) -> Float[Array, "*batch out_features"]:
        dtype = compute_dtype(self.dtype, x, self.weight)
        y = matmul(jnp.asarray(x, dtype), self.weight.astype(dtype))
        if self.bias is not None:
            y = y + self.bias.astype(dtype)
        return y


class Identity(Module):
    """A layer that returns its input unchanged (a placeholder in a `Sequential`).

    **Returns:** called on any value, that value.

    ```python
    assert nn.Identity()(3) == 3
    ```
    """

    # Two signatures, so that an array keeps its shape (`"*dims" -> "*dims"`, which the
    # shape rule of the mypy plugin reads) and any other value its type.
    @overload
    def __call__(self, x: Shaped[Array, "*dims"]) -> Shaped[Array, "*dims"]: ...
    @overload
    def __call__(self, x: _T) -> _T: ...
    def __call__(self, x: Any) -> Any:
        return x
