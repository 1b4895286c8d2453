"""A Trainer (a plain class, as in the Flax NNX tutorial) builds its loss in `__init__` as a
lambda over `self.model`: px.value_and_grad gets a function of the batch only, and the
model it should differentiate is captured through `self`."""

# runtime: ClosureCaptureError
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Trainer:
    def __init__(self, model: nn.Linear, lr: float):
        self.model = model
        self.optimizer = Optimizer(optax.sgd(lr), model)
        self.loss_and_grad = px.value_and_grad(lambda x, y: jnp.mean((self.model(x) - y) ** 2))  # E: purepax-closure

    def step(self, x, y):
        loss, grads = self.loss_and_grad(x, y)
        self.model, self.optimizer = self.optimizer.apply_gradients(self.model, grads)
        return loss


trainer = Trainer(nn.Linear(3, 1, key=jax.random.key(0)), 0.1)
trainer.step(jnp.ones((4, 3)), jnp.zeros((4, 1)))
