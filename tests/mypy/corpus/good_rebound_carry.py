"""A scan body that rebinds its carry from an unknown function before calling it under pure."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def refresh(c):
    return c


def body(c: Counter, x):
    c, y = px.purecall(c, x)
    c = refresh(c)
    return c, y


jax.lax.scan(body, Counter(), jnp.arange(3))
