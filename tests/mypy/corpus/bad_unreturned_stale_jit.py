"""A jitted function returns the stale module instead of px.purecall's update."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def step(c: Counter, x):
    updated, y = px.purecall(c, x)
    return c, y  # E: purepax-unreturned


step(Counter(), 1.0)
