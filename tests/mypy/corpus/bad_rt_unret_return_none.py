"""A pure function mutates its argument with setattr and returns None explicitly."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def reset(c: Counter):
    setattr(c, "count", jnp.array(0))
    return None  # E: purepax-unreturned


px.pure(reset)(Counter())
