"""Layers built step by step in `__init__`, PAX style, in a field typed for what it holds.

A module freezes its containers when construction ends (a list becomes a tuple, a dict a
read-only mapping), so the field is annotated with a read-only type: `Sequence[Linear]`
lets `__init__` append to the list it assigned; `tuple[Linear, ...]` takes a list built
locally and given as `tuple(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
from jax import Array
from typing_extensions import reveal_type

import purepax as px


class Linear(px.Module):
    weight: Array

    def __init__(self, i: int, o: int, *, key: Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5

    def __call__(self, x: Array) -> Array:
        return x @ self.weight


class AppendedMLP(px.Module):
    layers: Sequence[Linear]

    def __init__(self, sizes: Sequence[int], *, key: Array) -> None:
        self.layers = []
        for i, o in zip(sizes[:-1], sizes[1:]):
            key, subkey = jax.random.split(key)
            self.layers.append(Linear(i, o, key=subkey))

    def __call__(self, x: Array) -> Array:
        for layer in self.layers:
            x = jax.nn.relu(layer(x))
        return x


class TupleMLP(px.Module):
    layers: tuple[Linear, ...]

    def __init__(self, sizes: Sequence[int], *, key: Array) -> None:
        layers: list[Linear] = []
        for i, o in zip(sizes[:-1], sizes[1:]):
            key, subkey = jax.random.split(key)
            layers.append(Linear(i, o, key=subkey))
        self.layers = tuple(layers)

    def __call__(self, x: Array) -> Array:
        for layer in self.layers:
            x = jax.nn.relu(layer(x))
        return x


class Heads(px.Module):
    heads: Mapping[str, Linear]

    def __init__(self, names: Sequence[str], *, key: Array) -> None:
        self.heads = {}
        for name, subkey in zip(names, jax.random.split(key, len(names))):
            self.heads[name] = Linear(4, 1, key=subkey)


appended = AppendedMLP([2, 4, 1], key=jax.random.key(0))
from_tuple = TupleMLP([2, 4, 1], key=jax.random.key(0))
heads = Heads(["value", "reward"], key=jax.random.key(1))
reveal_type(appended.layers)  # reveals: Sequence[Linear]
reveal_type(from_tuple.layers)  # reveals: tuple[Linear, ...]
reveal_type(heads.heads["value"])  # reveals: Linear
assert isinstance(appended.layers, tuple) and isinstance(from_tuple.layers, tuple)
assert appended(jnp.ones((3, 2))).shape == from_tuple(jnp.ones((3, 2))).shape == (3, 1)
assert sorted(heads.heads) == ["reward", "value"]


def loss(model: AppendedMLP, x: Array) -> Array:
    return jnp.sum(model(x))


grads = px.grad(loss)(appended, jnp.ones((3, 2)))
reveal_type(grads.layers)  # reveals: Sequence[Linear]
assert [g.weight.shape for g in grads.layers] == [(2, 4), (4, 1)]
