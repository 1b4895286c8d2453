"""A module built earlier in the same function is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(x):
    c = Counter()
    c(x)  # E: purepax-mutation
    return c


run(1.0)
