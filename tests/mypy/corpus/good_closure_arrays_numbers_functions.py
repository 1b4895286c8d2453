"""Closures over arrays, numbers, functions and module classes are fine."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


scale = 2.0
offset = jnp.ones(2)


def helper(x):
    return x * 3


@jax.jit
def f(x, key):
    layer = Linear(2, 2, key=key)
    return helper(x) * scale + offset + layer(x)


f(jnp.ones(2), jax.random.PRNGKey(0))
px_fn = jax.lax.scan(lambda c, x: (c + offset, x * scale), jnp.zeros(2), jnp.arange(3.0))
