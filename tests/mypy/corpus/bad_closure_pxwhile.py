"""px.while_loop's cond_fun reads a captured counter."""

# runtime: ClosureCaptureError
# needs: px.while_loop
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run():
    counter = Counter()
    return px.while_loop(lambda i: i < counter.peek() + 2, lambda i: i + 1, 0)  # E: purepax-closure


run()
