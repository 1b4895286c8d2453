"""Modules built inside transformed functions and returned."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def init(key):
    layer = Linear(2, 2, key=key)
    return layer


layer = init(jax.random.PRNGKey(0))
layers = jax.vmap(lambda k: Linear(2, 2, key=k))(jax.random.split(jax.random.PRNGKey(1), 2))
