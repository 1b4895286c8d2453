"""Inside a pure function, a module it builds itself is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def run(c: Counter, x):
    helper = Counter()
    helper(x)  # E: purepax-mutation
    return c, x


run(Counter(), 1.0)
