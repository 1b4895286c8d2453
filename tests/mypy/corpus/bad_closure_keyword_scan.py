"""jax.lax.scan with keyword arguments; the body mutates a captured counter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(xs):
    counter = Counter()

    def body(carry, x):
        return carry, counter(x)  # E: purepax-closure

    return jax.lax.scan(f=body, init=0, xs=xs)


run(jnp.arange(3))
