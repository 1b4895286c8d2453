"""jax.jit(step) in call form; step mutates its module parameter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def step(c: Counter, x):
    c.count = c.count + x  # E: purepax-mutation
    return c


fast = jax.jit(step)
fast(Counter(), 1)
