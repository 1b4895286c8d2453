"""A pure function that returns its argument on every path."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def f(c: Counter, x, flag):
    if flag:
        c(x)
        return c, 1
    return c, 0


f(Counter(), 1.0, True)
