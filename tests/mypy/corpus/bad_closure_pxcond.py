"""px.cond's branch captures a module."""

# runtime: ClosureCaptureError
# needs: px.cond
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
px.cond(True, lambda x: model(x), lambda x: x, jnp.ones(2))  # E: purepax-closure
