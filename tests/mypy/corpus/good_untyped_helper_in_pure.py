"""An unannotated helper that calls its argument, used on a view."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def tick(c):
    return c(1)


@px.pure
def run(c: Counter):
    tick(c)
    return c


assert int(run(Counter()).count) == 1
