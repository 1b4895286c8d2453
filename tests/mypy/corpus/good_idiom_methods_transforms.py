"""Methods given to transforms with the module as an explicit argument: unbound methods
(`Model.__call__`, `Model.loss`), a staticmethod, and methods of a plain trainer object
that holds configuration only."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


class Model(px.Module):
    linear: Linear
    counter: Counter

    def __init__(self, *, key):
        self.linear = Linear(2, 2, key=key)
        self.counter = Counter()

    def __call__(self, x):
        return self.linear(x)

    def tick(self, x):
        self.counter = self.counter.__class__(self.counter.count + 1)
        return self(x)

    def loss(self, x, y):
        return jnp.mean((self(x) - y) ** 2)

    @staticmethod
    def init_all(key):
        return Model(key=key)


class Trainer:
    def __init__(self, lr):
        self.lr = lr

    def update(self, model: Model, x, y):
        grads = px.grad(Model.loss)(model, x, y)
        return px.update_parameters(model, jax.tree.map(lambda p, g: p - self.lr * g, px.parameters(model), grads))

    def count(self, model: Model, x):
        model, y = px.purecall(model.tick, x)
        return model, y


model = Model(key=jax.random.PRNGKey(0))
xs = jnp.ones((3, 2))
ys = jax.vmap(Model.__call__, in_axes=(None, 0))(model, xs)
ys = px.vmap(Model.__call__, in_axes=(None, 0))(model, xs)
value = jax.jit(Model.loss)(model, xs, xs)
models = jax.vmap(Model.init_all)(jax.random.split(jax.random.PRNGKey(1), 2))
trainer = Trainer(0.1)
model = jax.jit(trainer.update)(model, xs, xs)
model, y = jax.jit(trainer.count)(model, xs[0])
model, ys = jax.lax.scan(trainer.count, model, xs)
assert int(model.counter.count) == 4
