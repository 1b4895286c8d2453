"""A while_loop body drops the module updated by px.purecall."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def body(state):
    c, n = state
    c2, _ = px.purecall(c, n)
    return c, n + 1  # E: purepax-unreturned


def body_direct(c):
    updated, _ = px.purecall(c, 1.0)
    return c  # E: purepax-unreturned


jax.lax.while_loop(lambda s: s[1] < 3, body, (Counter(), 0))
jax.lax.while_loop(lambda c: c.count < 3, body_direct, Counter())
