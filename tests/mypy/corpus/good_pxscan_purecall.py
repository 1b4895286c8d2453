"""px.scan whose body updates its carry with px.purecall."""

# runtime: ok
# needs: px.scan
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    c, y = px.purecall(c, x)
    return c, y


c, ys = px.scan(body, Counter(), jnp.arange(3))
assert int(c.count) == 3
