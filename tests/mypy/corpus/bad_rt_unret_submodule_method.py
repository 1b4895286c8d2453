"""A @px.pure method mutates a submodule of self and returns only the output."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Model(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    @px.pure
    def tick(self, x):
        self.counter(x)
        return x  # E: purepax-unreturned


Model().tick(1.0)
