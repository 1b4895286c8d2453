"""raw jax.checkpoint: the function's module parameter is rebuilt, immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def f(c: Counter, x):
    c(x)  # E: purepax-mutation
    return x


jax.checkpoint(f)(Counter(), jnp.ones(2))
