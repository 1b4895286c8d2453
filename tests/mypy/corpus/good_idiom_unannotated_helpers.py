"""Unannotated helpers everywhere: apply, update, a step that purecalls and returns the
model, a helper that returns a new model, all composed under jit and scan."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked


def apply(model, x):
    return model(x)


def forward(model, x):
    return jnp.tanh(apply(model, x))


def sgd(model, grads, lr):
    return px.update_parameters(model, jax.tree.map(lambda p, g: p - lr * g, px.parameters(model), grads))


def tick(model, x):
    model, y = px.purecall(model, x)
    return model, y


def loss(model, x):
    model, y = tick(model, x)
    return jnp.sum(forward(model.linear, y) ** 2), model


def step(model, x):
    (value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x)
    return sgd(model, grads, 0.1), value


def run(model, xs):
    return jax.lax.scan(step, model, xs)


model = Tracked(key=jax.random.PRNGKey(0))
model, values = jax.jit(run)(model, jnp.ones((3, 2)))
c, y = jax.jit(tick)(Counter(), 1.0)
y = jax.jit(forward)(Linear(2, 2, key=jax.random.PRNGKey(1)), jnp.ones(2))
assert int(model.counter.count) == 3 and int(c.count) == 1
