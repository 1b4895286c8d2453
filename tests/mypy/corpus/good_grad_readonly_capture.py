"""raw jax.grad over a lambda that reads a captured module."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def loss(m: Linear, x):
    return jnp.sum(m(x))


model = Linear(2, 2, key=jax.random.PRNGKey(0))
g = jax.grad(lambda x: loss(model, x))(jnp.ones(2))
v, g2 = jax.value_and_grad(lambda x: loss(model, x))(jnp.ones(2))
