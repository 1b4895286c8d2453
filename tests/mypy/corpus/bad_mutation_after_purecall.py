"""The module px.purecall returns is immutable again."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(counter: Counter, x):
    counter, y = px.purecall(counter, x)
    counter.reset()  # E: purepax-mutation
    return counter, y


run(Counter(), 1.0)
