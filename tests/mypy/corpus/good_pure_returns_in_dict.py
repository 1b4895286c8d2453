"""A pure function may return its argument inside a dict or a tuple."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def f(c: Counter, x):
    y = c(x)
    return {"model": c, "y": y}


@px.pure
def g(c: Counter, x):
    c.reset()
    return x, (c,)[0]


f(Counter(), 1.0)
