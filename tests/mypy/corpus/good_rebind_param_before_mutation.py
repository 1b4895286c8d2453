"""A param rebound from an unknown call keeps the plugin quiet."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def fresh_view(c):
    return c


@px.pure
def run(c: Counter):
    c = fresh_view(c)
    c(1)
    return c


run(Counter())
