"""A function passed to px.pure that resets its argument and drops it."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def restart(c: Counter, x):
    c.reset()
    return x  # E: purepax-unreturned


px.pure(restart)(Counter(), 1.0)
