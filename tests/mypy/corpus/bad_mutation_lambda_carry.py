"""A lambda scan body mutates its carry through a method of another file."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(xs):
    return jax.lax.scan(lambda c, x: (c, c.reset()), Counter(), xs)  # E: purepax-mutation


run(jnp.arange(3))
