"""A while_loop carrying (module, step) and updating it with px.purecall."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def keep_going(carry):
    c, i = carry
    return i < 3


def step(carry):
    c, i = carry
    c, _ = px.purecall(c, i)
    return c, i + 1


c, i = jax.lax.while_loop(keep_going, step, (Counter(), 0))
assert int(c.count) == 3
