"""Unannotated scan body: the carry's type comes from init."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class RNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c, x):
            y = c(x)  # E: purepax-mutation
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, self.counter, xs)
        return y


rnn, ys = px.purecall(RNN(), jnp.arange(3))
