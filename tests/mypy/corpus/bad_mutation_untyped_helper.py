"""An unannotated helper calls its argument; applied to a module at top level."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def tick(c):
    return c(1)


counter = Counter()
tick(counter)  # E: purepax-mutation
