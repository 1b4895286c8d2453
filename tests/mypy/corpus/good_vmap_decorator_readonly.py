"""@jax.vmap over a function that only reads a captured module."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


@jax.vmap
def predict(x):
    return model(x)


predict(jnp.ones((3, 2)))
