"""A jitted function passes its module to a mutating helper by keyword."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def advance(x, *, counter):
    counter.count = counter.count + 1
    return x


@jax.jit
def step(c: Counter, x):
    return advance(x, counter=c)  # E: purepax-mutation


step(Counter(), 1.0)
