"""px.pure(loss_fn) under jax.grad(..., has_aux=True) returns the updated model as aux."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def loss_fn(model: Tracked, x):
    y = model(x)
    return jnp.sum(y), model


model = Tracked(key=jax.random.PRNGKey(0))
grads, model = jax.grad(px.pure(loss_fn), argnums=1, has_aux=True)(model, jnp.ones(2))
value, (g, model) = jax.value_and_grad(px.pure(loss_fn), argnums=1, has_aux=True)(model, jnp.ones(2))[0], (grads, model)
