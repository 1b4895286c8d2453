"""Models the tests share (as Equinox's `tests/helpers.py`): `from helpers import Counter, Linear`.

pytest (its default `prepend` import mode) puts `tests/`, the folder of the top
`conftest.py`, on `sys.path`. A test whose point is how a model is declared declares its own.
"""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Counter(px.StateModule):
    """Counts its calls in state; returns its input unchanged."""

    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.count = self.count + 1
        return x

    def add(self, n, *, times=1):
        self.count = self.count + n * times
        return self.count

    def peek(self):
        return self.count


class Linear(px.Module):
    """`x @ weight + bias`, built from its arrays: `Linear(jnp.ones((3, 2)), jnp.zeros(2))`."""

    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __call__(self, x):
        return x @ self.weight + self.bias
