"""An unannotated fori_loop body resets its carry (typed by init_val)."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(i, c):
    c.reset()  # E: purepax-mutation
    return c


jax.lax.fori_loop(0, 2, body, Counter())
