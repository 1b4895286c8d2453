"""A cond branch mutates its module operand."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def tick(c: Counter):
    c(1)  # E: purepax-mutation
    return c


def same(c: Counter):
    return c


jax.lax.cond(True, tick, same, Counter())
