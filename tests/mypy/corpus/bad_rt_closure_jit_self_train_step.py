"""A stateful Trainer jits its own train step: `px.jit(self.train_step)` where the method
reads and reassigns `self.model` and `self.optimizer` (modules held by a plain object).
The plugin does not report a bound method of a plain object yet (FOUND.md)."""

# runtime: ClosureCaptureError
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


class Trainer:
    def __init__(self, model: nn.Linear):
        self.model = model
        self.optimizer = Optimizer(optax.adam(1e-2), model)
        self.jit_step = px.jit(self.train_step)  # E: purepax-closure

    def train_step(self, x, y):
        loss, grads = px.value_and_grad(loss_fn)(self.model, x, y)
        self.model, self.optimizer = self.optimizer.apply_gradients(self.model, grads)
        return loss


trainer = Trainer(nn.Linear(3, 1, key=jax.random.key(0)))
for _ in range(3):
    trainer.jit_step(jnp.ones((4, 3)), jnp.zeros((4, 1)))
