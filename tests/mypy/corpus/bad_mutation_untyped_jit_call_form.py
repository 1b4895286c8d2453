"""jax.jit(f)(counter): f's untyped parameter is typed by the call."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def tick(c, x):
    y = c(x)  # E: purepax-mutation
    return c, y


jax.jit(tick)(Counter(), 1.0)
