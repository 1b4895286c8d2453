"""px.pure function mutating its argument through a helper of another file."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def count(c: Counter):
    bump(c)
    return None  # E: purepax-unreturned


count(Counter())
