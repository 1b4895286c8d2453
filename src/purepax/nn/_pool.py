"""Pooling: `MaxPool1d/2d/3d` and `AvgPool1d/2d/3d` over the spatial axes of channels-last inputs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Shaped

from .._errors import ArgumentError
from .._module import Module
from ._spatial import NormalPadding, Padding, normal_padding, per_dimension


class Pool(Module):
    """What the pooling layers share: a window slid over `(*batch, *spatial, channels)`.

    As in Flax: `stride` defaults to the window (non-overlapping windows) and `padding`
    to "VALID"; "SAME" and "VALID" mean what they mean in `jax.lax.reduce_window`.
    Pooling has no parameters. Max pooling keeps the input's dtype (bool and integers
    included); average pooling averages integers and booleans in floating point.
    """

    num_spatial_dims: ClassVar[int]

    window: tuple[int, ...]
    stride: tuple[int, ...]
    padding: NormalPadding

    # Every public subclass repeats this signature in an `__init__` of its own that calls
    # this one: at run time a module class keeps the custom `__init__` it inherits, but
    # PEP 681 has mypy and pyright synthesize one from the fields for a class that defines
    # none (tests/nn/test_layer_typing.py checks that the copies agree).
    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        name = type(self).__name__
        n = getattr(self, "num_spatial_dims", None)
        if n is None:
            raise ArgumentError(
                f"{name} is a base class: use MaxPool1d/2d/3d or AvgPool1d/2d/3d."
            )
        self.window = per_dimension(name, "window", window, n)
        self.stride = (
            self.window if stride is None else per_dimension(name, "stride", stride, n)
        )
        self.padding = normal_padding(name, padding, n)

    def _reduce(
        self,
        x: jax.Array,
        init: np.ndarray[Any, Any],
        op: Callable[[jax.Array, jax.Array], jax.Array],
    ) -> jax.Array:
        n = self.num_spatial_dims
        if x.ndim < n + 1:
            raise ArgumentError(
                f"{type(self).__name__} takes channels-last inputs (*batch, <{n} spatial axes>, "
                f"channels), got shape {x.shape}."
            )
        around = (1,) * (x.ndim - n - 1)
        padding = self.padding
        if not isinstance(padding, str):
            padding = ((0, 0),) * len(around) + padding + ((0, 0),)
        out: jax.Array = jax.lax.reduce_window(
            x, init, op, (*around, *self.window, 1), (*around, *self.stride, 1), padding
        )
        return out


class MaxPool(Pool):
    """Max pooling (the base class of `MaxPool1d/2d/3d`); padded entries never win.

    The output has the input's dtype, whatever it is (bool: a window's `any`).

    **Arguments:**

    - `window`: the window size, an int or one int per spatial dimension.
    - `stride`: the step between windows; `None` (default) is the window size.
    - `padding`: "VALID" (default), "SAME", an int, one int per dimension, or `(low, high)`
      pairs.

    **Returns:** called on `(*batch, *spatial, channels)`, the maximum of every window.

    ```python
    pool = nn.MaxPool2d(2)
    y = pool(jnp.ones((1, 8, 8, 3)))   # (1, 4, 4, 3)
    ```
    """

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)

    def __call__(
        self, x: Shaped[Array, "*batch_and_spatial c"]
    ) -> Shaped[Array, "*batch_and_spatial2 c"]:
        # The identity of max (padded entries never win); a concrete initial value lets JAX
        # pick its differentiable max reduction.
        if x.dtype == jnp.bool_:
            lowest: Any = False
        elif jnp.issubdtype(x.dtype, jnp.inexact):
            lowest = -np.inf
        else:
            lowest = np.iinfo(x.dtype).min
        return self._reduce(x, np.array(lowest, x.dtype), jax.lax.max)


class AvgPool(Pool):
    """Average pooling (the base class of `AvgPool1d/2d/3d`).

    The sum of every window is divided by the window size, padded entries counted as
    zeros (Flax's and PyTorch's default, `count_include_pad=True`). Integers and booleans
    are averaged in the floating-point dtype `jnp.mean` gives them (float32, or float64
    under `jax_enable_x64`), so a sum never overflows; floats keep their dtype.

    **Arguments:** as `MaxPool`.

    **Returns:** called on `(*batch, *spatial, channels)`, the mean of every window.

    ```python
    pool = nn.AvgPool1d(3, stride=1, padding="SAME")
    y = pool(jnp.ones((2, 10, 4)))   # (2, 10, 4)
    ```
    """

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)

    def __call__(
        self, x: Shaped[Array, "*batch_and_spatial c"]
    ) -> Float[Array, "*batch_and_spatial2 c"]:
        if not jnp.issubdtype(x.dtype, jnp.inexact):
            x = x.astype(
                jnp.result_type(float)
            )  # jnp.mean's rule: the default float dtype
        total = self._reduce(x, np.array(0, x.dtype), jax.lax.add)
        return total / math.prod(self.window)


class MaxPool1d(MaxPool):
    """Max pooling over `(*batch, length, channels)`; see `MaxPool`."""

    num_spatial_dims = 1

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)


class MaxPool2d(MaxPool):
    """Max pooling over `(*batch, height, width, channels)`; see `MaxPool`."""

    num_spatial_dims = 2

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)


class MaxPool3d(MaxPool):
    """Max pooling over `(*batch, depth, height, width, channels)`; see `MaxPool`."""

    num_spatial_dims = 3

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)


class AvgPool1d(AvgPool):
    """Average pooling over `(*batch, length, channels)`; see `AvgPool`."""

    num_spatial_dims = 1

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)


class AvgPool2d(AvgPool):
    """Average pooling over `(*batch, height, width, channels)`; see `AvgPool`."""

    num_spatial_dims = 2

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)


class AvgPool3d(AvgPool):
    """Average pooling over `(*batch, depth, height, width, channels)`; see `AvgPool`."""

    num_spatial_dims = 3

    def __init__(
        self,
        window: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: Padding = "VALID",
    ) -> None:
        super().__init__(window, stride, padding)
