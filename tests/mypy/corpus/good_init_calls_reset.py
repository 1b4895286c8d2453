"""__init__ may call a mutating method on self."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Seeded(px.StateModule):
    key: jax.Array
    count: jax.Array

    def __init__(self, key):
        self.reset(key)

    def reset(self, key):
        self.key = key
        self.count = jnp.array(0)

    def __call__(self, x):
        self.count = self.count + 1
        return x


s = Seeded(jax.random.PRNGKey(0))
s, _ = px.purecall(s, 1.0)
