"""A while_loop body reads a global module."""

# runtime: ClosureCaptureError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def body(x):
    return model(x)  # E: purepax-closure


px.while_loop(lambda x: jnp.sum(x) < 10.0, body, jnp.ones(2))
