"""px.jit over a lambda that reads a global module."""

# runtime: ClosureCaptureError
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
fast = px.jit(lambda x: model(x))  # E: purepax-closure
fast(jnp.ones(2))
