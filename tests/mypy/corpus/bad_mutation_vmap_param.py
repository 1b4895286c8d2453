"""A vmapped function calls its (rebuilt) module argument."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def apply(c: Counter, x):
    return c(x)  # E: purepax-mutation


jax.vmap(apply, in_axes=(None, 0))(Counter(), jnp.ones(3))
