"""Bound methods of plain objects that capture no module: they read only numbers,
arrays, a tokenizer or a config through self, take the model as an argument, or are
static or class methods. A bound method of a module stays the module's business."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Tokenizer:
    def __init__(self, size: int):
        self.size = size


class Config:
    def __init__(self, lr: float, tokenizer: Tokenizer):
        self.lr = lr
        self.tokenizer = tokenizer
        self.scale = jnp.ones(2)


class Trainer:
    def __init__(self, model: Linear, config: Config):
        self.model = model
        self.config = config
        self.lr = config.lr
        self.step = jax.jit(self.sgd_step)
        self.evaluate = jax.jit(self.loss)
        self.shift = jax.jit(self.scaled)
        self.halve = jax.jit(self.half)
        self.double = jax.jit(self.twice)

    def sgd_step(self, model, x):
        return model(x) * self.lr * self.config.tokenizer.size

    def loss(self, model, x, y):
        return jnp.mean((model(x) - y) ** 2) * self.config.lr

    def scaled(self, x):
        return x * self.config.scale + self.lr

    def predict_with(self, x):
        return self.model(x) * self.lr  # raw jax.vmap: reading a captured module is fine

    @staticmethod
    def forward(model: Tracked, x):
        return model.linear(x)

    @staticmethod
    def half(x):
        return x / 2

    @classmethod
    def twice(cls, x):
        return x * 2

    def fit(self, x, y):
        return self.step(self.model, x), self.evaluate(self.model, x, y)


trainer = Trainer(Linear(2, 2, key=jax.random.PRNGKey(0)), Config(0.1, Tokenizer(3)))
trainer.fit(jnp.ones(2), jnp.zeros(2))
trainer.shift(jnp.ones(2))
trainer.halve(jnp.ones(2))
trainer.double(jnp.ones(2))
jax.jit(trainer.forward)(Tracked(key=jax.random.PRNGKey(1)), jnp.ones(2))
scaled = jax.vmap(trainer.scaled)(jnp.ones((3, 2)))
predicted = jax.vmap(trainer.predict_with)(jnp.ones((3, 2)))
