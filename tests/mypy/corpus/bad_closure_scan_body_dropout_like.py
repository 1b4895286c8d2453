"""A scan body that calls a captured stateful module (the NNX Dropout-in-scan bug)."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(xs):
    counter = Counter()

    def body(carry, x):
        y = counter(x)  # E: purepax-closure
        return carry + 1, y

    return jax.lax.scan(body, 0, xs)


run(jnp.arange(3.0))
