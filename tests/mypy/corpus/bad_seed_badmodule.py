"""The seed's BadModule: a jitted inner function uses self.counter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class BadModule(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(x):
            y = self.counter(x)  # E: purepax-closure
            return y

        y = fn(x)
        return y


mod = BadModule()
mod, y = px.purecall(mod, jnp.array(0.0))
