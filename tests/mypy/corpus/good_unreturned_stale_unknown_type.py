"""An unannotated loss drops px.purecall's module and returns its argument; the module
comes from a sweep over architectures, so its type is unknown: the plugin cannot tell
whether the call changes it, and proves nothing."""

# runtime: ok
from typing import Any

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


class Scale(px.Module):
    s: jax.Array

    def __call__(self, x):
        return x * self.s


def loss(model, x, y):
    new_model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2), model


def train(model, data):
    for x, y in data:
        (value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x, y)
        params = jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
        model = px.update_parameters(model, params)
    return model


def fit(model: Any, x, y):
    (value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x, y)
    return value


data = [(jnp.ones(2), jnp.zeros(2))] * 2
makers = [lambda key: Linear(2, 2, key=key), lambda key: Scale(jnp.ones(2))]
for make in makers:
    model = train(make(jax.random.PRNGKey(0)), data)
    fit(model, *data[0])
