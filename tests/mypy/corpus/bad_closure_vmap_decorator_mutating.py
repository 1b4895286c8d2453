"""@jax.vmap over a function that mutates a captured module."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()


@jax.vmap
def count(x):
    return counter(x)  # E: purepax-closure


count(jnp.ones(3))
