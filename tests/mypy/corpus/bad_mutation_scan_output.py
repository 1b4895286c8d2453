"""The carry jax.lax.scan returns is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    c, y = px.purecall(c, x)
    return c, y


def run(xs):
    c, ys = jax.lax.scan(body, Counter(), xs)
    c.reset()  # E: purepax-mutation
    return c


run(jnp.arange(3))
