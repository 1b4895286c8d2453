"""A list of layers that mixes modules and plain functions, called in a loop.

Every module is callable to a type checker (its call returns Any unless its class says
more), so `list[px.Module | Callable[..., Array]]` type-checks; naming the layer classes
keeps the precise types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
from jax import Array
from typing_extensions import reveal_type

import purepax as px
import purepax.nn as nn


class Linear(px.Module):
    weight: Array
    bias: Array

    def __init__(self, i: int, o: int, *, key: Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x: Array) -> Array:
        return x @ self.weight + self.bias


class Scale(px.Module):
    factor: Array

    @px.jit
    def __call__(self, x: Array) -> Array:
        return self.factor * x


class MLP(px.Module):
    layers: list[px.Module | Callable[..., Array]]

    def __init__(self, *, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.layers = [Linear(2, 8, key=k1), jax.nn.relu, Scale(jnp.array(0.5)), Linear(8, 1, key=k2)]

    def __call__(self, x: Array) -> Array:
        for layer in self.layers:
            x = layer(x)
        return x


class TypedMLP(px.Module):
    layers: tuple[Linear | Scale | Callable[[Array], Array], ...]

    def __init__(self, *, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.layers = (Linear(2, 8, key=k1), jax.nn.relu, Scale(jnp.array(0.5)), Linear(8, 1, key=k2))

    def __call__(self, x: Array) -> Array:
        for layer in self.layers:
            x = layer(x)
        return x


def apply_all(layers: Sequence[Callable[[Array], Array]], x: Array) -> Array:
    for layer in layers:
        x = layer(x)
    return x


x = jnp.ones((4, 2))
mlp = MLP(key=jax.random.key(0))
typed = TypedMLP(key=jax.random.key(0))
reveal_type(mlp(x))  # reveals: Array
reveal_type(mlp.layers[0](x))  # reveals: Any | Array
reveal_type(typed.layers[0](x))  # reveals: Array
reveal_type(apply_all([Linear(2, 3, key=jax.random.key(1)), jax.nn.relu], x))  # reveals: Array
sequential = nn.Sequential(Linear(2, 3, key=jax.random.key(1)), jax.nn.relu)
reveal_type(sequential(x))  # reveals: Any
assert mlp(x).shape == typed(x).shape == (4, 1)
assert sequential(x).shape == (4, 3)
