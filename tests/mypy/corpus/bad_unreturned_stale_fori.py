"""A fori_loop body drops px.purecall's update and returns the old carry."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(i, c: Counter):
    c_new, _ = px.purecall(c, i)
    return c  # E: purepax-unreturned


jax.lax.fori_loop(0, 3, body, Counter())
