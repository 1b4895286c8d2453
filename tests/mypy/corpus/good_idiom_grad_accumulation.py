"""Gradient accumulation over micro-batches with fori_loop; gradients are modules shaped
like the parameters, summed and scaled with jax.tree.map."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


def loss_fn(model: Linear, x, y):
    return jnp.mean((model(x) - y) ** 2)


@jax.jit
def accumulate_explicit(model: Linear, xs, ys):
    zeros = jax.tree.map(jnp.zeros_like, px.parameters(model))

    def body(i, carry):
        model, acc = carry
        g = px.grad(loss_fn)(model, xs[i], ys[i])
        return model, jax.tree.map(jnp.add, acc, g)

    _, total = jax.lax.fori_loop(0, xs.shape[0], body, (model, zeros))
    return total


model = Linear(2, 2, key=jax.random.PRNGKey(0))
xs, ys = jnp.ones((4, 3, 2)), jnp.zeros((4, 3, 2))
grads = accumulate_explicit(model, xs, ys)
model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads))
assert grads.weight.shape == (2, 2)
