"""One of jax.lax.switch's branches captures a module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def double(x):
    return model(x) * 2  # E: purepax-closure


def pick(i, x):
    return jax.lax.switch(i, [lambda x: x, double], x)


pick(1, jnp.ones(2))
