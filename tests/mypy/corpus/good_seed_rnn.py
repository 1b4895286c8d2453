"""The seed's fixed RNN: px.purecall inside the scan body, the carry returned."""

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
        def scan_fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


rnn = RNN()
rnn, ys = px.purecall(rnn, jnp.arange(0, 10))
assert int(rnn.counter.count) == 10
