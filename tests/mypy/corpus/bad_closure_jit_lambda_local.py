"""jax.jit(lambda) capturing a module from the enclosing function."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def evaluate(x):
    model = Linear(2, 2, key=jax.random.PRNGKey(0))
    fast = jax.jit(lambda x: model(x) * 2)  # E: purepax-closure
    return fast(x)


evaluate(jnp.ones(2))
