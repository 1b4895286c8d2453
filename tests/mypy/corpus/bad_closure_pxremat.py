"""px.remat over a lambda capturing a module."""

# runtime: ClosureCaptureError
# needs: px.remat
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
px.remat(lambda x: model(x))(jnp.ones(2))  # E: purepax-closure
