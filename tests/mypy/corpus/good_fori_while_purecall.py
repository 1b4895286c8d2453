"""fori_loop / while_loop bodies update their carry with px.purecall."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(i, c: Counter):
    c, _ = px.purecall(c, i)
    return c


def keep_going(c: Counter):
    return c.peek() < 5


def step(c: Counter):
    c, _ = px.purecall(c, 1)
    return c


c = jax.lax.fori_loop(0, 3, body, Counter())
c = jax.lax.while_loop(keep_going, step, c)
