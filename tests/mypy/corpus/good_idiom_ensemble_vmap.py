"""An ensemble: models built with jax.vmap over keys, applied and trained with vmap over
the stacked models; members that count their calls updated with px.purecall."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked


def make(key) -> Linear:
    return Linear(2, 2, key=key)


def loss(model: Linear, x, y):
    return jnp.mean((model(x) - y) ** 2)


keys = jax.random.split(jax.random.PRNGKey(0), 4)
ensemble = jax.vmap(make)(keys)
x, y = jnp.ones((8, 2)), jnp.zeros((8, 2))

preds = jax.vmap(lambda m: m(x))(ensemble)
mean_pred = jnp.mean(jax.vmap(lambda m, x: m(x), in_axes=(0, None))(ensemble, x), axis=0)


@jax.jit
def train_step(ensemble: Linear, x, y):
    losses, grads = jax.vmap(px.value_and_grad(loss), in_axes=(0, None, None))(ensemble, x, y)
    params = jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(ensemble), grads)
    return px.update_parameters(ensemble, params), losses


for _ in range(2):
    ensemble, losses = train_step(ensemble, x, y)

counted = jax.vmap(lambda k: Tracked(key=k))(keys)
counted, outs = jax.vmap(lambda m, x: px.purecall(m, x), in_axes=(0, None))(counted, jnp.ones(2))
member = jax.tree.map(lambda leaf: leaf[0], ensemble)
assert losses.shape == (4,) and int(counted.counter.count[0]) == 1
assert member(x).shape == (8, 2) and preds.shape == (4, 8, 2) and mean_pred.shape == (8, 2)
