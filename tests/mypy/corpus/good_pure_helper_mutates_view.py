"""A helper mutating a view inside a pure function."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def step(c: Counter):
    bump(c)
    bump_twice(c)
    return c


assert int(step(Counter()).count) == 3
