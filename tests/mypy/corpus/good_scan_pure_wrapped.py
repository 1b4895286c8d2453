"""jax.lax.scan(px.pure(f), ...): the body's parameters are mutable views."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    y = c(x)
    return c, y


c, ys = jax.lax.scan(px.pure(body), Counter(), jnp.arange(3))
assert int(c.count) == 3
