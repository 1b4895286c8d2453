"""The seed's fixed RNN, unannotated."""

# runtime: ok
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
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, self.counter, xs)
        return y


rnn, ys = px.purecall(RNN(), jnp.arange(3))
