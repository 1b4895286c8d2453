"""raw jax.checkpoint of a function whose default argument is a module it mutates."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()


@jax.checkpoint
def f(x, c=counter):  # E: purepax-closure
    c.count = c.count + 1
    return x * 2


f(jnp.ones(2))
