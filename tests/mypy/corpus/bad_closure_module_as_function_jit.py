"""A module itself given to jax.jit (like nnx.jit(counter))."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
fast = jax.jit(model)  # E: purepax-closure
fast(jnp.ones(2))
