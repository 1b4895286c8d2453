"""A pure function mutates its argument through an unannotated helper and drops it."""

# runtime: UnreturnedUpdateError
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
    return 0  # E: purepax-unreturned


run(Counter())
