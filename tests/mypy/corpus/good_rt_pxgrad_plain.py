"""px.grad of a read-only loss; gradients applied with tree.map; jax.grad of pure with aux."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear, Tracked


def loss(model: Linear, x, y):
    return jnp.mean((model(x) - y) ** 2)


def loss_aux(model, x):
    out = model(x)
    return jnp.sum(out), model


model = Linear(2, 3, key=jax.random.PRNGKey(0))
g = px.grad(loss)(model, jnp.ones((4, 2)), jnp.zeros((4, 3)))
model = jax.tree.map(lambda p, d: p - 0.1 * d, model, g)

tracked = Tracked(key=jax.random.PRNGKey(0))
grads, tracked = px.grad(px.pure(loss_aux), has_aux=True)(tracked, jnp.ones(2))
assert int(tracked.counter.count) == 1
