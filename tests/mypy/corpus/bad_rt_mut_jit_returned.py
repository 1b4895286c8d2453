"""A module returned by a jitted function is mutated."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(c: Counter, x):
    return px.purecall(c, x)


def run():
    c, y = step(Counter(), 1.0)
    c.reset()  # E: purepax-mutation
    return c


run()
