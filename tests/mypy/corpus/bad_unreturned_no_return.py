"""px.pure function with no return statement at all."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def count(c: Counter):  # E: purepax-unreturned
    c.count = c.count + 1


count(Counter())
