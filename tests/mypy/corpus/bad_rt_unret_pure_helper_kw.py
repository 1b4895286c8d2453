"""A @px.pure function mutates its argument through a helper and returns a dict without it."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@px.pure
def step(c: Counter, x):
    bump_twice(c)
    return {"y": x, "count": c.count}  # E: purepax-unreturned


step(Counter(), 1.0)
