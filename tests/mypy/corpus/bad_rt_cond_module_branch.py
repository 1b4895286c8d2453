"""A module itself is a branch of jax.lax.cond."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
jax.lax.cond(True, model, lambda x: x, jnp.ones(2))  # E: purepax-closure
