"""A module built in the same function gets its field assigned."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def build(key):
    m = Tracked(key=key)
    m.linear.bias = jnp.ones(2)  # E: purepax-mutation
    return m


build(jax.random.PRNGKey(0))
