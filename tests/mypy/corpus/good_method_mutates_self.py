"""A module's own methods mutate self; called through px.purecall."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Stepper(px.StateModule):
    counter: Counter
    steps: jax.Array

    def __init__(self):
        self.counter = Counter()
        self.steps = jnp.array(0)

    def advance(self, x):
        self.steps = self.steps + 1
        return self.counter(x)

    def __call__(self, x):
        self.advance(x)
        self.counter.reset()
        return x


s = Stepper()
s, y = px.purecall(s, 1.0)
s, y = px.purecall(s.advance, 1.0)
