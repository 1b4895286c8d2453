"""A module returned by a px.pure function is mutated."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@px.pure
def tick(c: Counter):
    bump(c)
    return c


def run():
    c = tick(Counter())
    bump(c)  # E: purepax-mutation
    return c


run()
