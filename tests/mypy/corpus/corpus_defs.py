"""Modules and helpers shared by the corpus programs (facts across files)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Counter(px.StateModule):
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.count = self.count + 1
        return x

    def reset(self):
        self.count = jnp.array(0)

    def peek(self):
        return self.count


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]

    def __init__(self, i: int, o: int, *, key: jax.Array):
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x):
        return x @ self.weight + self.bias


class Tracked(px.Module):
    """A model that counts its calls: calling it mutates its submodule."""

    linear: Linear
    counter: Counter

    def __init__(self, *, key: jax.Array):
        self.linear = Linear(2, 2, key=key)
        self.counter = Counter()

    def __call__(self, x):
        x = self.counter(x)
        return self.linear(x)


def bump(counter):
    """A plain helper that mutates its parameter (fine where the caller holds a view)."""
    counter.count = counter.count + 1
    return counter.count


def bump_twice(c):
    bump(c)
    bump(c)


def read(counter):
    return counter.count + 0
