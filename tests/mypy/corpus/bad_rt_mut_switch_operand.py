"""A switch branch mutates the module it is given as an operand."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def inc(c: Counter):
    c.count = c.count + 1  # E: purepax-mutation
    return c


jax.lax.switch(0, [inc, lambda c: c], Counter())
