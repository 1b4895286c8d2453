"""A pure function returning its argument through a helper's result."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def finish(c, y):
    return c, y


@px.pure
def f(c: Counter, x):
    y = c(x)
    return finish(c, y)


f(Counter(), 1.0)
