"""An unannotated function jitted into a variable and called with a counter mutates it."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def train_step(c, x):
    y = c(x)  # E: purepax-mutation
    return c, y


step = jax.jit(train_step)
step(Counter(), 1.0)
