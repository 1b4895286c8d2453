"""raw jax.checkpoint / jax.remat reading a captured module."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
y = jax.checkpoint(lambda x: model(x))(jnp.ones(2))
z = jax.remat(lambda x: model(x))(jnp.ones(2))
