"""px.vmap / px.jit with the module as an explicit argument."""

# runtime: ok
# needs: px.vmap
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def apply(m: Linear, x):
    return m(x)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
ys = px.vmap(apply, in_axes=(None, 0))(model, jnp.ones((3, 2)))
y = px.jit(apply)(model, jnp.ones(2))
