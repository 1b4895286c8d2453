"""@partial(jax.jit, ...) function mutating a module parameter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@functools.partial(jax.jit, static_argnums=1)
def advance(c: Counter, n):
    for _ in range(n):
        c(1)  # E: purepax-mutation
    return c


advance(Counter(), 2)
