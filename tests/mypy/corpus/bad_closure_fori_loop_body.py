"""The body of jax.lax.fori_loop uses a global module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def body(i, x):
    return model(x)  # E: purepax-closure


jax.lax.fori_loop(0, 3, body, jnp.ones(2))
