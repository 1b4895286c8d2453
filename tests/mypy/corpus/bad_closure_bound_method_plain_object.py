"""A plain Trainer (not a module) jits its own method, which reads the model it holds:
the model's arrays become constants of the compiled program and go stale when fit()
replaces self.model. Also at module level, and under px.jit."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


class Trainer:
    def __init__(self, model: Linear):
        self.model = model
        self.evaluate = jax.jit(self.evaluate_batch)  # E: purepax-closure

    def evaluate_batch(self, x, y):
        return loss_fn(self.model, x, y)

    def predict(self, x):
        return self.model(x)

    def fit(self, x, y):
        self.model = Linear(2, 2, key=jax.random.PRNGKey(1))


trainer = Trainer(Linear(2, 2, key=jax.random.PRNGKey(0)))
before = trainer.evaluate(jnp.ones(2), jnp.zeros(2))
trainer.fit(jnp.ones(2), jnp.zeros(2))
assert trainer.evaluate(jnp.ones(2), jnp.zeros(2)) == before  # stale
predict = jax.jit(trainer.predict)  # E: purepax-closure
predict(jnp.ones(2))


class Counting:
    def __init__(self, counter: Counter):
        self.counter = counter

    def count(self, x):
        return self.counter(x)

    def run(self, xs):
        return jax.vmap(self.count)(xs)  # E: purepax-closure
