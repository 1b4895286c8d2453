"""px.remat of a lambda reading a global module."""

# runtime: ClosureCaptureError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
px.remat(lambda x: model(x) * 2)(jnp.ones(2))  # E: purepax-closure
