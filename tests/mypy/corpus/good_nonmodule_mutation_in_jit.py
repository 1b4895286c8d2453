"""Mutating plain Python containers inside transforms is not a module mutation."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def f(x):
    acc = {"total": 0.0}
    acc["total"] = acc["total"] + x
    items = []
    items.append(x)
    return acc["total"] + items[0]


f(1.0)
