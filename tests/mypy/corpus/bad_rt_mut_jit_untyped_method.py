"""An unannotated jitted function calls a mutating method of its module argument."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(c, x):
    c.reset()  # E: purepax-mutation
    return c, x


step(Counter(), 1.0)
