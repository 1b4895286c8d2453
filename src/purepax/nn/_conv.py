"""Convolutions (`Conv1d/2d/3d`) and transposed convolutions (`ConvTranspose1d/2d/3d`).

Inputs are channels-last, `(*batch, *spatial, channels)`, as in Flax and Haiku; the
kernel is `(*kernel_size, in_channels // groups, out_channels)` (`jax.lax`'s "HWIO").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._module import Module
from ._init import Initializer, default_kernel_init, parameter
from ._precision import DType, compute_dtype
from ._spatial import NormalPadding, Padding, normal_padding, per_dimension


class _Convolution(Module):
    """What `Conv*` and `ConvTranspose*` share: fields, checks, initialisation, batching."""

    num_spatial_dims: ClassVar[int]

    weight: Float[Array, "*kernel in_per_group out_channels"]
    bias: Float[Array, "out_channels"] | None
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: NormalPadding
    dilation: tuple[int, ...]
    groups: int
    use_bias: bool
    dtype: DType | None

    # Every public subclass repeats this signature in an `__init__` of its own that calls
    # this one: at run time a module class keeps the custom `__init__` it inherits, but
    # PEP 681 has mypy and pyright synthesize one from the fields for a class that defines
    # none (tests/nn/test_layer_typing.py checks that the copies agree).
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        name = type(self).__name__
        n = getattr(self, "num_spatial_dims", None)
        if n is None:
            raise ArgumentError(
                f"{name} is a base class: use {name}1d, {name}2d or {name}3d."
            )
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ArgumentError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must both "
                f"be divisible by groups ({groups})."
            )
        self.kernel_size = per_dimension(name, "kernel_size", kernel_size, n)
        self.stride = per_dimension(name, "stride", stride, n)
        self.dilation = per_dimension(name, "dilation", dilation, n)
        self.padding = normal_padding(name, padding, n)
        shape = (*self.kernel_size, in_channels // groups, out_channels)
        self.weight = parameter(
            name,
            "kernel_init",
            kernel_init,
            default_kernel_init,
            key,
            shape,
            param_dtype,
        )
        self.bias = (
            parameter(
                name,
                "bias_init",
                bias_init,
                jax.nn.initializers.zeros,
                key,
                (out_channels,),
                param_dtype,
                stream=1,
            )
            if use_bias
            else None
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.groups = groups
        self.use_bias = use_bias
        self.dtype = dtype

    def _apply(
        self,
        x: jax.Array,
        padding: str | Sequence[tuple[int, int]],
        window_strides: Sequence[int],
        lhs_dilation: Sequence[int] | None,
    ) -> jax.Array:
        n = self.num_spatial_dims
        spatial = "DHW"[3 - n :]
        if x.ndim < n + 1 or x.shape[-1] != self.in_channels:
            raise ArgumentError(
                f"{type(self).__name__} takes channels-last inputs (*batch, {', '.join(spatial)}, "
                f"{self.in_channels}), got shape {x.shape}."
            )
        batch = x.shape[: x.ndim - n - 1]
        dtype = compute_dtype(self.dtype, x, self.weight)
        y = jax.lax.conv_general_dilated(
            jnp.asarray(x, dtype).reshape((-1, *x.shape[x.ndim - n - 1 :])),
            self.weight.astype(dtype),
            window_strides=window_strides,
            padding=padding,
            lhs_dilation=lhs_dilation,
            rhs_dilation=self.dilation,
            dimension_numbers=(f"N{spatial}C", f"{spatial}IO", f"N{spatial}C"),
            feature_group_count=self.groups,
        )
        if self.bias is not None:
            y = y + self.bias.astype(dtype)
        return y.reshape((*batch, *y.shape[1:]))


class Conv(_Convolution):
    """A convolution over the spatial axes of channels-last inputs (the base class of `Conv1d/2d/3d`).

    Computes `jax.lax.conv_general_dilated` with `window_strides=stride`,
    `rhs_dilation=dilation`, `feature_group_count=groups`; "SAME" and "VALID" padding mean
    what they mean there ("SAME": output size `ceil(size / stride)`; "VALID":
    `ceil((size - (kernel - 1) * dilation) / stride)`). The weight is initialised as in
    Flax (LeCun normal: truncated normal, variance `1 / (in_channels // groups * prod(kernel_size))`),
    the bias with zeros.

    **Arguments:**

    - `in_channels`, `out_channels`: the channels of the input and the output.
    - `kernel_size`, `stride`, `dilation`: an int, or one int per spatial dimension.
    - `padding`: "SAME", "VALID", an int (each side), one int per dimension, or one
      `(low, high)` pair per dimension.
    - `groups`: split the channels into this many groups convolved separately.
    - `use_bias`: whether to add a bias (else `bias` is `None`).
    - `kernel_init`, `bias_init`: initializers `(key, shape, dtype) -> array` (any of
      `jax.nn.initializers`), called as Flax's `Conv` calls them: `kernel_init(key,
      (*kernel_size, in_channels // groups, out_channels), param_dtype)`,
      `bias_init(fold_in(key, 1), (out_channels,), param_dtype)`. `None`: the defaults.
    - `dtype`: the computation dtype; `None` follows a floating-point input.
    - `param_dtype`: the dtype the parameters are stored in (float32 by default).
    - `key`: the PRNG key that draws the weight.

    **Returns:** called on `(*batch, *spatial, in_channels)`, an array
    `(*batch, *new_spatial, out_channels)`.

    ```python
    conv = nn.Conv2d(3, 8, 3, key=jax.random.key(0))
    y = conv(jnp.ones((2, 16, 16, 3)))   # (2, 16, 16, 8)
    ```
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )

    def __call__(
        self, x: Float[Array, "*batch_and_spatial in_channels"]
    ) -> Float[Array, "*batch_and_spatial2 out_channels"]:
        return self._apply(x, self.padding, self.stride, None)


class Conv1d(Conv):
    """A 1D convolution on `(*batch, length, channels)`; see `Conv` for the arguments."""

    num_spatial_dims = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )


class Conv2d(Conv):
    """A 2D convolution on `(*batch, height, width, channels)`; see `Conv` for the arguments."""

    num_spatial_dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )


class Conv3d(Conv):
    """A 3D convolution on `(*batch, depth, height, width, channels)`; see `Conv` for the arguments."""

    num_spatial_dims = 3

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )


def transpose_padding(
    kernel: int, stride: int, dilation: int, padding: str
) -> tuple[int, int]:
    """The padding of the stride-dilated input that `jax.lax.conv_transpose` uses."""
    k = (kernel - 1) * dilation + 1
    if padding == "SAME":
        total = k + stride - 2
        low = k - 1 if stride > k - 1 else -(-total // 2)
    else:
        total = k + stride - 2 + max(k - stride, 0)
        low = k - 1
    return low, total - low


class ConvTranspose(_Convolution):
    """A transposed convolution (the gradient of a strided convolution; the base class of
    `ConvTranspose1d/2d/3d`).

    Computes what `jax.lax.conv_transpose(x, weight, stride, padding, rhs_dilation=dilation)`
    computes (`transpose_kernel=False`, as Flax's `ConvTranspose`): the input is dilated
    by `stride` and convolved, stride 1, with the kernel as stored (not flipped). Output
    size per spatial dimension, with `k = (kernel_size - 1) * dilation + 1`:
    "SAME": `size * stride`; "VALID": `size * stride + max(k - stride, 0)`; explicit
    `(low, high)` pairs pad the dilated input: `(size - 1) * stride + 1 + low + high - k + 1`.
    `groups` splits the channels as in `Conv`. Initialised as `Conv` (LeCun normal, zero
    bias), as in Flax.

    **Arguments:** as `Conv`.

    **Returns:** called on `(*batch, *spatial, in_channels)`, an array
    `(*batch, *new_spatial, out_channels)`.

    ```python
    up = nn.ConvTranspose2d(8, 3, 4, stride=2, key=jax.random.key(0))
    y = up(jnp.ones((2, 8, 8, 8)))   # (2, 16, 16, 3)
    ```
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )

    def __call__(
        self, x: Float[Array, "*batch_and_spatial in_channels"]
    ) -> Float[Array, "*batch_and_spatial2 out_channels"]:
        padding: str | Sequence[tuple[int, int]]
        if isinstance(self.padding, str):
            padding = [
                transpose_padding(k, s, d, self.padding)
                for k, s, d in zip(self.kernel_size, self.stride, self.dilation)
            ]
        else:
            padding = self.padding
        return self._apply(x, padding, (1,) * self.num_spatial_dims, self.stride)


class ConvTranspose1d(ConvTranspose):
    """A 1D transposed convolution on `(*batch, length, channels)`; see `ConvTranspose`."""

    num_spatial_dims = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )


class ConvTranspose2d(ConvTranspose):
    """A 2D transposed convolution on `(*batch, height, width, channels)`; see `ConvTranspose`."""

    num_spatial_dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )


class ConvTranspose3d(ConvTranspose):
    """A 3D transposed convolution on `(*batch, depth, height, width, channels)`; see `ConvTranspose`."""

    num_spatial_dims = 3

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        *,
        stride: int | Sequence[int] = 1,
        padding: Padding = "SAME",
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            kernel_init=kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )
