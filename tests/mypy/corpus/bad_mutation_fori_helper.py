"""A fori_loop body mutates its carry through a helper of another file."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(i, c: Counter):
    bump(c)  # E: purepax-mutation
    return c


jax.lax.fori_loop(0, 3, body, Counter())
