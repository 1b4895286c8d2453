"""setattr on a parameter of a jitted function."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def zero(c: Counter):
    setattr(c, "count", jnp.array(0))  # E: purepax-mutation
    return c


zero(Counter())
