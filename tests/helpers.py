"""Models the tests share (as Equinox's `tests/helpers.py`): `from helpers import Counter, Linear`.

pytest (its default `prepend` import mode) puts `tests/`, the folder of the top
`conftest.py`, on `sys.path`. A test whose point is how a model is declared declares its own.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
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


def filled(abstract, seed=0):
    """A tree with random values where `abstract` (from `jax.eval_shape`) has shapes.

    Placing numpy arrays compiles nothing, where running a model's initialisers compiles
    each of their operations.
    """
    rng = np.random.default_rng(seed)

    def fill(leaf):
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            data = rng.integers(0, 2**32, (*leaf.shape, 2), np.uint32)
            return jax.random.wrap_key_data(data)
        return jnp.asarray(rng.normal(size=leaf.shape).astype(leaf.dtype))

    return jax.tree_util.tree_map(fill, abstract)
