"""__init__ calling helper methods on self, __post_init__, helpers that mutate self from there."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Buffer(px.StateModule):
    data: Float[Array, "n"]
    pos: jax.Array

    def __init__(self, n: int, key):
        self.reset(n, key)
        self._fill()

    def reset(self, n, key):
        self.data = jax.random.normal(key, (n,))
        self.pos = jnp.array(0)

    def _fill(self):
        self.data = self.data * 0.0
        self.advance()

    def advance(self):
        self.pos = self.pos + 1

    def __call__(self, x):
        self.advance()
        return x + self.data


class Scaled(px.Module):
    w: jax.Array
    bias: jax.Array = px.param(default_factory=lambda: jnp.zeros(()))

    def __post_init__(self):
        self.normalize()

    def normalize(self):
        self.w = self.w / jnp.linalg.norm(self.w)


b = Buffer(3, jax.random.PRNGKey(0))
b, y = px.purecall(b, jnp.ones(3))
s = Scaled(jnp.ones(4))
assert int(b.pos) == 2
