"""A plain Trainer class (not a module) holds the model; a jitted step nested in its method reads self.model."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Trainer:
    def __init__(self, model: Linear, lr: float):
        self.model = model
        self.lr = lr

    def predict(self, xs):
        @jax.jit
        def step(x):
            return self.model(x) * self.lr  # E: purepax-closure

        return step(xs)

    def count(self, counter: Counter, xs):
        self.counter = counter
        return jax.vmap(lambda x: self.counter(x))(xs)  # E: purepax-closure


t = Trainer(Linear(2, 2, key=jax.random.PRNGKey(0)), 0.1)
t.predict(jnp.ones(2))
