"""raw jax.checkpoint: the function mutates a captured module."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(x):
    counter = Counter()
    return jax.checkpoint(lambda x: counter(x) * 2.0)(x)  # E: purepax-closure


run(1.0)
