"""Unannotated seed-style code: RNN with a scan body using purecall, GoodModule with a jitted inner fn."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


class Counter(px.StateModule):
    count: jax.Array

    def __init__(self):
        self.count = jnp.array(0)

    def __call__(self, x):
        self.count = self.count + 1
        return x


class RNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


class GoodModule(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(c, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = fn(self.counter, x)
        return y


rnn = RNN()
rnn, ys = px.purecall(rnn, jnp.arange(0, 10))
mod = GoodModule()
mod, y = px.purecall(mod, jnp.array(0.0))
assert int(rnn.counter.count) == 10 and int(mod.counter.count) == 1
