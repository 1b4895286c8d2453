"""@functools.partial(jax.jit, static_argnums=1) on a function capturing a module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


@functools.partial(jax.jit, static_argnums=1)
def scaled(x, n):
    return model(x) * n  # E: purepax-closure


scaled(jnp.ones(2), 3)
