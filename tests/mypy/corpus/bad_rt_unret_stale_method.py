"""A jitted function binds the result of px.purecall on a bound method to an unused name."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def reset(c: Counter):
    fresh, _ = px.purecall(c.reset)
    return c  # E: purepax-unreturned


reset(Counter())
