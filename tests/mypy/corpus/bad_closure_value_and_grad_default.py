"""raw jax.value_and_grad: a default-argument module that the function mutates."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()


def loss(x, c=counter):  # E: purepax-closure
    c(x)
    return x * 3.0


jax.value_and_grad(loss)(1.0)
