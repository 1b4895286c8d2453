"""Functions run by transforms drop px.purecall's module and return their argument, where
the module's method only reads (nothing is lost): quiet, annotated or not."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


class CNN(px.Module):
    linear: Linear

    def __init__(self, *, key):
        self.linear = Linear(2, 2, key=key)

    def __call__(self, x):
        return self.linear(x.reshape(-1, 2))  # a method called on an unannotated input


def loss(model, x, y):
    new_model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2), model


def loss_typed(model: CNN, x, y):
    new_model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2), model


def peek(c: Counter, x):
    value, count = px.purecall(c.peek)
    return c, x + count


model = CNN(key=jax.random.PRNGKey(0))
x = jnp.ones((3, 2))
(value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x, x)
(value, model), grads = px.value_and_grad(loss_typed, has_aux=True)(model, x, x)
c, ys = jax.lax.scan(peek, Counter(), jnp.arange(3.0))
assert int(c.count) == 0
