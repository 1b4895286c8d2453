"""A model with BatchNorm differentiated with a raw jax.grad (in eval mode, so the call
is read-only): the gradient holds entries for the running statistics too, which the
optimizer, built for the parameters only, refuses. Only the runtime sees this."""

# runtime: ModelMismatchError
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Net(px.Module):
    linear: nn.Linear
    norm: nn.BatchNorm

    def __init__(self, *, key):
        self.linear = nn.Linear(3, 4, key=key)
        self.norm = nn.BatchNorm(4)

    def __call__(self, x):
        return self.norm(self.linear(x))


def loss_fn(model, x):
    return jnp.mean(model(x) ** 2)


model = px.eval_mode(Net(key=jax.random.key(0)))
optimizer = Optimizer(optax.sgd(0.1), model)
grads = jax.grad(loss_fn)(model, jnp.ones((4, 3)))
model, optimizer = optimizer.apply_gradients(model, grads)
