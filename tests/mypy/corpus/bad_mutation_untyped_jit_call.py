"""An unannotated jitted function, typed by its call, assigns to its module argument."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def increment(c):
    c.count = c.count + 1  # E: purepax-mutation
    return c


increment(Counter())
