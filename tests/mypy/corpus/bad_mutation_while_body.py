"""A while_loop body resets its carry (typed by init_val)."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def cond(c):
    return c.count < 3


def body(c):
    c.reset()  # E: purepax-mutation
    return c


jax.lax.while_loop(cond, body, Counter())
