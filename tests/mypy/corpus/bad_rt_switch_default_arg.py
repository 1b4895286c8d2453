"""A switch branch captures a module as a default argument."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def branch(x, m=model):  # E: purepax-closure
    return m(x)


jax.lax.switch(1, [lambda x: x, branch], jnp.ones(2))
