"""A scan body wrapped by px.pure and bound to a name first."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    y = c(x)
    return c, y


step = px.pure(body)
c, ys = jax.lax.scan(step, Counter(), jnp.arange(3))
assert int(c.count) == 3
