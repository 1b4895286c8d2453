"""Modules taken from px.purecall and jitted outputs by index are only read or purecalled again."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(c: Counter, x):
    return px.purecall(c, x)


def run(x):
    c = px.purecall(Counter(), x)[0]
    c = step(c, x)[0]
    c2 = px.purecall(c.reset)[0]
    return c.peek() + c2.peek()


assert int(run(1.0)) == 2
