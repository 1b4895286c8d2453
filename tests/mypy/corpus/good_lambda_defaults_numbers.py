"""Default arguments that are numbers or arrays are fine."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


offset = jnp.ones(2)
jax.jit(lambda x, n=3, b=offset: x * n + b)(jnp.ones(2))


def body(c, x, scale=2.0):
    return c + x * scale, x


jax.lax.scan(body, 0.0, jnp.arange(3.0))
