"""jax.grad with respect to a module argument that is only read."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def loss(m: Linear, x):
    return jnp.sum(m(x) ** 2)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
grads = jax.grad(loss)(model, jnp.ones(2))
model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads))
