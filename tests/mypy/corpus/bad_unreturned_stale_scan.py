"""A scan body binds px.purecall's update to a name it never uses and returns the stale carry."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    return c, y  # E: purepax-unreturned


jax.lax.scan(body, Counter(), jnp.arange(3))
