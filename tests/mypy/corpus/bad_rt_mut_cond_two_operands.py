"""cond with two operands: the true branch calls its (immutable) module operand."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def update(c, x):
    y = c(x)  # E: purepax-mutation
    return y


def skip(c, x):
    return x


jax.lax.cond(True, update, skip, Counter(), 1.0)
