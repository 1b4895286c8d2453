"""A vmapped function drops the module updated by px.purecall and returns the stale one."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def f(c: Counter, x):
    updated, y = px.purecall(c, x)
    return c, y  # E: purepax-unreturned


jax.vmap(f, in_axes=(None, 0))(Counter(), jnp.ones(3))
