"""Unannotated losses given to px.value_and_grad / px.grad drop px.purecall's update of a
model that certainly changes (it counts its calls) and return the stale model instead."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Tracked


def loss(model, x, y):
    new_model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2), model  # E: purepax-unreturned


def count_loss(c, x):
    c2, out = px.purecall(c, x)
    return jnp.sum(out), c  # E: purepax-unreturned


model = Tracked(key=jax.random.PRNGKey(0))
(value, model), grads = px.value_and_grad(loss, has_aux=True)(model, jnp.ones(2), jnp.zeros(2))
grads, c = jax.grad(count_loss, argnums=1, has_aux=True)(Counter(), jnp.ones(2))
assert int(model.counter.count) == 0
