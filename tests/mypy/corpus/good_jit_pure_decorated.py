"""@jax.jit over @px.pure: the function runs on views inside the jit."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
@px.pure
def step(c: Counter, x):
    y = c(x)
    return c, y


c, y = step(Counter(), 1.0)
