"""A branch of jax.lax.cond reads a captured module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def choose(flag, x):
    return jax.lax.cond(flag, lambda x: model(x), lambda x: x, x)  # E: purepax-closure


choose(True, jnp.ones(2))
