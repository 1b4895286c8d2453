"""@px.pure function that mutates its argument and returns only the output."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def step(counter: Counter, x):
    y = counter(x)
    return y  # E: purepax-unreturned


step(Counter(), 1.0)
