"""The seed's GoodModule: the counter passed to the jitted function and returned."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class GoodModule(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = fn(self.counter, x)
        return y


mod = GoodModule()
mod, y = px.purecall(mod, jnp.array(0.0))
assert int(mod.counter.count) == 1
