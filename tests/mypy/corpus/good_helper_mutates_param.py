"""A plain helper mutating its parameter: its caller may hold a view."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def advance(c, n):
    for _ in range(n):
        c.count = c.count + 1


def run(c: Counter):
    advance(c, 2)
    return c


c = px.pure(run)(Counter())
assert int(c.count) == 2
