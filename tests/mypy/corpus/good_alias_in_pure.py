"""A pure function that mutates its argument under another name and returns it."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def f(c: Counter, x):
    other = c
    other(x)
    return other


f(Counter(), 1.0)
