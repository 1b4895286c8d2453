"""functools.partial of a function that itself captures a global module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def scaled(scale, x):
    return model(x) * scale  # E: purepax-closure


jax.jit(functools.partial(scaled, 2.0))(jnp.ones(2))
