"""while_loop / fori_loop bodies wrapped by px.pure."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def step(i, c: Counter):
    c(i)
    return c


c = jax.lax.fori_loop(0, 3, px.pure(step), Counter())
assert int(c.count) == 3
