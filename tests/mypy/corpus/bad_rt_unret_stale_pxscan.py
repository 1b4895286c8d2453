"""A px.scan body returns the stale carry."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def body(c: Counter, x):
    new, y = px.purecall(c, x)
    return c, y  # E: purepax-unreturned


px.scan(body, Counter(), jnp.arange(3.0))
