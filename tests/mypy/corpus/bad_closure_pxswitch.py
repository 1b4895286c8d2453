"""A branch of px.switch captures a module."""

# runtime: ClosureCaptureError
# needs: px.switch
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def branch(x):
    return model(x)  # E: purepax-closure


px.switch(0, [branch, lambda x: x], jnp.ones(2))
