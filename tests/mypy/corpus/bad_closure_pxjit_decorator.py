"""@px.jit on a function that reads a captured counter."""

# runtime: ClosureCaptureError
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def make():
    counter = Counter()

    @px.jit
    def total(x):
        return counter.peek() + x  # E: purepax-closure

    return total(1.0)


make()
