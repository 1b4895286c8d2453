"""A cond branch drops the module updated by px.purecall."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def inc(c: Counter):
    c2, _ = px.purecall(c, 1.0)
    return c  # E: purepax-unreturned


jax.lax.cond(True, inc, lambda c: c, Counter())
