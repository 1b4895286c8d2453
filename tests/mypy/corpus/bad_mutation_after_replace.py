"""px.replace returns a new, immutable module."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def restart(counter: Counter):
    fresh = px.replace(counter, count=jnp.array(5))
    fresh.count = jnp.array(0)  # E: purepax-mutation
    return fresh


restart(Counter())
