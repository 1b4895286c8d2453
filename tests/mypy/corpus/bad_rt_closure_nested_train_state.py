"""The Trainer keeps a TrainState dataclass (model, optimizer, step) and its evaluation
jits a lambda that reaches the model through `self.state.model`."""

# runtime: ClosureCaptureError
import dataclasses

import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


@dataclasses.dataclass
class TrainState:
    model: nn.Linear
    optimizer: Optimizer
    step: int = 0


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


class Trainer:
    def __init__(self, model: nn.Linear):
        self.state = TrainState(model, Optimizer(optax.sgd(0.1), model))

    def evaluate(self, x, y):
        return px.jit(lambda x, y: loss_fn(self.state.model, x, y))(x, y)  # E: purepax-closure


model = nn.Linear(3, 1, key=jax.random.key(0))
Trainer(model).evaluate(jnp.ones((4, 3)), jnp.zeros((4, 1)))
