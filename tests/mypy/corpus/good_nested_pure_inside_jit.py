"""A px.pure function defined and called inside a jitted function."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def run(c: Counter, x):
    def inner(c: Counter, x):
        y = c(x)
        return c, y

    return px.pure(inner)(c, x)


run(Counter(), 1.0)
