"""An unannotated @px.pure function, typed by its call, returning its argument."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def step(counter, x):
    counter.count = counter.count + 1
    return counter, x


def apply(c, x):
    return c.peek() + x


step(Counter(), 1.0)
jax.jit(apply)(Counter(), 1.0)
