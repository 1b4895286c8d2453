"""A @px.pure function sets a field of its argument and returns nothing."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@px.pure
def reset(c: Counter):  # E: purepax-unreturned
    c.count = jnp.array(0)


reset(Counter())
