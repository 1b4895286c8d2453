"""px.fori_loop's body reads a captured module."""

# runtime: ClosureCaptureError
# needs: px.fori_loop
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
px.fori_loop(0, 2, lambda i, x: model(x), jnp.ones(2))  # E: purepax-closure
