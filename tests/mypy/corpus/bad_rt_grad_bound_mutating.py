"""raw jax.grad of a bound method that mutates its module."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Model(px.Module):
    w: jax.Array
    calls: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def loss(self, x):
        self.calls = self.calls + 1.0
        return jnp.sum(self.w * x)


m = Model(jnp.ones(2))
jax.grad(m.loss)(jnp.ones(2))  # E: purepax-closure
