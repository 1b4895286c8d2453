"""The cond_fun of jax.lax.while_loop reads a captured counter."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def count_up():
    counter = Counter()

    def keep_going(i):
        return i < counter.peek() + 3  # E: purepax-closure

    return jax.lax.while_loop(keep_going, lambda i: i + 1, 0)


count_up()
