"""A vmapped function passes its module parameter to a mutating helper."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def f(c: Counter, x):
    bump_twice(c)  # E: purepax-mutation
    return x


jax.vmap(f, in_axes=(None, 0))(Counter(), jnp.ones(3))
