"""A jitted function increments its module argument's field in place."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(c: Counter):
    c.count += 1  # E: purepax-mutation
    return c


step(Counter())
