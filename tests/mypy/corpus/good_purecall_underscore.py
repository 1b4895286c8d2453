"""Binding px.purecall's update to _ drops it on purpose."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    _, y = px.purecall(c, x)
    return c, y


jax.lax.scan(body, Counter(), jnp.arange(3))
