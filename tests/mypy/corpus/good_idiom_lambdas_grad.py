"""Lambdas given to px.grad / px.value_and_grad / jax.grad: the model as the lambda's
argument (or read through a raw jax.grad closure), arrays and config captured."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear, Tracked


def loss(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
x, y = jnp.ones((4, 2)), jnp.zeros((4, 2))
scale = 2.0

g1 = px.grad(lambda m, x, y: scale * loss(m, x, y))(model, x, y)
v, g2 = px.value_and_grad(lambda m: loss(m, x, y))(model)
g3 = jax.grad(lambda p: loss(px.update_parameters(model, p), x, y))(px.parameters(model))
g4 = jax.grad(lambda x: jnp.sum(model(x)))(x)
(v, tracked), g5 = px.value_and_grad(
    lambda m, x: (jnp.sum(px.purecall(m, x)[1]), px.purecall(m, x)[0]), has_aux=True
)(Tracked(key=jax.random.PRNGKey(1)), jnp.ones(2))
per_example = jax.vmap(lambda x, y: px.grad(lambda m: loss(m, x[None], y[None]))(model))(x, y)
assert g1.weight.shape == (2, 2) and per_example.weight.shape == (4, 2, 2)
