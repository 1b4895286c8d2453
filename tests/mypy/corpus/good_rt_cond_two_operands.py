"""cond with two operands, the module updated by px.purecall and returned."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def update(c, x):
    c, y = px.purecall(c, x)
    return c, y


def skip(c, x):
    return c, x


c, y = jax.lax.cond(True, update, skip, Counter(), 1.0)
c, y = px.cond(False, update, skip, c, 2.0)
assert int(c.count) == 1
