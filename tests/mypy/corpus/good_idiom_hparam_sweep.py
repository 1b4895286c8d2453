"""A learning-rate sweep: jax.vmap over learning rates of a training loop that takes the
model as an argument (fori_loop carry), and a Python sweep with functools.partial."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear

x, y = jnp.ones((8, 2)), jnp.zeros((8, 2))


def loss_fn(model: Linear, x, y):
    return jnp.mean((model(x) - y) ** 2)


def sgd_step(model: Linear, lr):
    loss, grads = px.value_and_grad(loss_fn)(model, x, y)
    return px.update_parameters(model, jax.tree.map(lambda p, g: p - lr * g, px.parameters(model), grads)), loss


def train(model: Linear, lr, steps=5):
    def body(i, carry):
        model, _ = carry
        return sgd_step(model, lr)

    model, loss = jax.lax.fori_loop(0, steps, body, (model, jnp.zeros(())))
    return loss


model = Linear(2, 2, key=jax.random.PRNGKey(0))
lrs = jnp.array([1e-3, 1e-2, 1e-1])
final = jax.vmap(train, in_axes=(None, 0))(model, lrs)
best = lrs[jnp.argmin(final)]

results = {}
for lr in [0.01, 0.1]:
    step = jax.jit(functools.partial(sgd_step, lr=lr))
    m = model
    for _ in range(2):
        m, loss = step(m)
    results[lr] = float(loss)
assert final.shape == (3,) and len(results) == 2
