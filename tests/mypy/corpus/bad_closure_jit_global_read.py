"""jax.jit over a function reading a global module: its arrays become constants."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


@jax.jit
def predict(x):
    return model(x)  # E: purepax-closure


predict(jnp.ones(2))
