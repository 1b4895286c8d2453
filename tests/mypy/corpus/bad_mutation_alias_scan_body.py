"""A scan body bound to a name calls its carry."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(xs):
    body = lambda c, x: (c, c(x))  # E: purepax-mutation
    return jax.lax.scan(body, Counter(), xs)


run(jnp.arange(3))
