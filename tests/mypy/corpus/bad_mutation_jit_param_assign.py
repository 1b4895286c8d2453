"""A jitted function assigns to its module parameter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def increment(c: Counter):
    c.count = c.count + 1  # E: purepax-mutation
    return c


increment(Counter())
