"""Initializers: the `kernel_init=`, `bias_init=`, ... arguments of the layers.

An initializer is any function `(key, shape, dtype) -> array`, as in `jax.nn.initializers`
(which Flax re-exports as `flax.nnx.initializers`). Layers call it with the parameter's
shape in their own layout, which is Flax's (`Linear`'s weight `(in, out)`, a kernel
`(*kernel_size, in // groups, out)`), so fan-in based initializers mean what they mean
in Flax.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import jax
import jax.numpy as jnp

from .._errors import ArgumentError

Initializer: TypeAlias = Callable[[jax.Array, tuple[int, ...], Any], jax.Array]

# The weight initializer of `Linear` and the convolutions, as Flax's `default_kernel_init`.
default_kernel_init: Initializer = jax.nn.initializers.lecun_normal()


def check_initializer(layer: str, argument: str, init: object) -> None:
    """Refuse an `init` argument that is not a function `(key, shape, dtype) -> array`."""
    if init is not None and not callable(init):
        raise ArgumentError(
            f"{layer}: {argument}={init!r} is not an initializer. Give a function "
            "(key, shape, dtype) -> array, e.g. jax.nn.initializers.normal(0.02) or "
            "jax.nn.initializers.zeros."
        )


def parameter(
    layer: str,
    argument: str,
    init: Initializer | None,
    default: Initializer,
    key: jax.Array,
    shape: tuple[int, ...],
    dtype: Any,
    *,
    stream: int = 0,
) -> jax.Array:
    """A parameter of `shape` drawn by `init`, or by the layer's `default` where `init` is None.

    The default draws with `key` itself, as the layer did before it took initializers, so
    its values do not change. A given `init` draws with `jax.random.fold_in(key, stream)`
    where `stream` is not 0, so that a layer's parameters get independent keys (a
    weight draws with `key` itself, its bias with stream 1).
    """
    if init is None:
        return default(key, shape, dtype)
    if stream:
        key = jax.random.fold_in(key, stream)
    return initialize(layer, argument, init, key, shape, dtype)


def initialize(
    layer: str,
    argument: str,
    init: Initializer,
    key: jax.Array,
    shape: tuple[int, ...],
    dtype: Any,
) -> jax.Array:
    """`init(key, shape, dtype)`, checked to be an array of `shape`, in `dtype`."""
    check_initializer(layer, argument, init)
    value: object = init(key, shape, dtype)
    if callable(value):
        # `lecun_normal(key, shape, dtype)` binds its own options and returns an initializer.
        raise ArgumentError(
            f"{layer}: {argument} returned a function, not an array: it makes initializers. "
            "Pass the one it makes, e.g. jax.nn.initializers.lecun_normal(), not "
            "jax.nn.initializers.lecun_normal."
        )
    array = jnp.asarray(value, dtype)
    if array.shape != shape:
        raise ArgumentError(
            f"{layer}: {argument} returned an array of shape {array.shape} for a parameter "
            f"of shape {shape}; an initializer must return the shape it is given."
        )
    return array
