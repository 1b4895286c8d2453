"""A bound method of a module given to px.vmap."""

# runtime: ClosureCaptureError
# needs: px.vmap
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
batched = px.vmap(model.__call__)  # E: purepax-closure
batched(jnp.ones((3, 2)))
