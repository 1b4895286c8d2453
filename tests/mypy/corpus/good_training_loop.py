"""A typical training loop: a functional optimizer module, px.pure under jax.grad, jax.jit step."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class SGD(px.Module):
    lr: float = 0.1
    steps: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def apply_gradients(self, model, grads):
        params = jax.tree.map(lambda p, g: p - self.lr * g, px.parameters(model), grads)
        return px.update_parameters(model, params), px.replace(self, steps=self.steps + 1)


class Model(px.Module):
    linear: Linear
    calls: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def __call__(self, x):
        self.calls = self.calls + 1.0
        return self.linear(x)


def loss_fn(model: Model, x, y):
    pred = model(x)
    return jnp.mean((pred - y) ** 2), model


@jax.jit
def train_step(model: Model, opt: SGD, x, y):
    (loss, model), grads = jax.value_and_grad(px.pure(loss_fn), has_aux=True)(model, x, y)
    model, opt = opt.apply_gradients(model, px.parameters(grads))
    return model, opt, loss


model, opt = Model(Linear(2, 2, key=jax.random.PRNGKey(0))), SGD()
for _ in range(2):
    model, opt, loss = train_step(model, opt, jnp.ones(2), jnp.zeros(2))
assert float(model.calls) == 2.0
