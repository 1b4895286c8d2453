"""A module as a default argument of a jitted function."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def predict(x, m=model):  # E: purepax-closure
    return m(x)


jax.jit(predict)(jnp.ones(2))
