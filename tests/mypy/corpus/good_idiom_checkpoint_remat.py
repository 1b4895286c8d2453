"""Rematerialisation: jax.checkpoint and px.remat over functions taking the model
explicitly, a checkpointed block inside a scan over layers, raw jax.checkpoint reading a
captured model."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


def block(layer: Linear, h):
    return jnp.tanh(layer(h))


def deep(layers: Linear, x):
    def body(h, layer):
        return jax.checkpoint(block)(layer, h), None

    h, _ = jax.lax.scan(body, x, layers)
    return jnp.sum(h)


layers = jax.vmap(lambda k: Linear(2, 2, key=k))(jax.random.split(jax.random.PRNGKey(0), 4))
x = jnp.ones(2)
g = px.grad(deep)(layers, x)
y = px.remat(block)(Linear(2, 2, key=jax.random.PRNGKey(1)), x)
first = jax.tree.map(lambda leaf: leaf[0], layers)
z = jax.checkpoint(lambda h: block(first, h))(x)
assert g.weight.shape == (4, 2, 2) and y.shape == (2,)
