"""Top level: a module returned by an unannotated px.pure function is called."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@px.pure
def tick(c, x):
    c(x)
    return c


c = tick(Counter(), 1.0)
c(2.0)  # E: purepax-mutation
