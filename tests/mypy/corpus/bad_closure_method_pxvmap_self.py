"""Inside a method, px.vmap over a lambda that reads self."""

# runtime: ClosureCaptureError
# needs: px.vmap
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Batched(px.Module):
    linear: Linear

    def __init__(self, *, key):
        self.linear = Linear(2, 2, key=key)

    def __call__(self, xs):
        return px.vmap(lambda x: self.linear(x))(xs)  # E: purepax-closure


Batched(key=jax.random.PRNGKey(0))(jnp.ones((3, 2)))
