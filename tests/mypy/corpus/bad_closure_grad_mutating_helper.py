"""raw jax.grad: the function mutates a captured module through a helper of another file."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()


def loss(x):
    bump(counter)  # E: purepax-closure
    return x * 2.0


jax.grad(loss)(1.0)
