"""DP-SGD written in a hurry: the per-example gradients from px.vmap(px.grad(...)) are
clipped but never summed over the batch, and go to the optimizer with their batch axis.
Shapes are not types: only the runtime sees this."""

# runtime: ModelMismatchError
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


def example_loss(model, x, y):
    return (model(x)[0] - y) ** 2


@px.jit
def dp_step(model, optimizer, x, y):
    grads = px.vmap(px.grad(example_loss), in_axes=(None, 0, 0))(model, x, y)
    clipped = jax.tree.map(lambda g: jnp.clip(g, -1.0, 1.0), grads)
    return optimizer.apply_gradients(model, clipped)


model = nn.Linear(3, 1, key=jax.random.key(0))
optimizer = Optimizer(optax.sgd(0.1), model)
model, optimizer = dp_step(model, optimizer, jnp.ones((8, 3)), jnp.zeros(8))
