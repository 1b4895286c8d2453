"""px.grad / px.value_and_grad over a loss that takes the model explicitly."""

# runtime: ok
# needs: px.grad
# needs: px.value_and_grad
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def loss(m: Linear, x):
    return jnp.sum(m(x) ** 2)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
grads = px.grad(loss)(model, jnp.ones(2))
value, grads = px.value_and_grad(loss)(model, jnp.ones(2))
