"""px.vmap given a bound method of a module."""

# runtime: ClosureCaptureError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
px.vmap(model.__call__)(jnp.ones((3, 2)))  # E: purepax-closure
