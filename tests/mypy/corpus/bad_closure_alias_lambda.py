"""A lambda bound to a name, then jitted: it captures a module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
predict = lambda x: model(x)  # E: purepax-closure
fast = jax.jit(predict)
fast(jnp.ones(2))
