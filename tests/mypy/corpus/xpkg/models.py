"""A model whose method mutates a submodule through a helper of another file."""

import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter

from .helpers import advance, observe


class Meter(px.Module):
    counter: Counter
    scale: float = 2.0

    def __init__(self):
        self.counter = Counter()

    def measure(self, x):
        advance(self.counter, x)
        return x * self.scale

    def look(self):
        return observe(self.counter) + jnp.zeros(())
