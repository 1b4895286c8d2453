"""An unannotated @px.pure function, typed by its call, drops its updated argument."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def step(counter, x):
    counter.count = counter.count + 1
    return x  # E: purepax-unreturned


step(Counter(), 1.0)
