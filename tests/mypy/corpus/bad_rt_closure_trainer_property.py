"""The Trainer exposes its model as a property over its TrainState, and the jitted
prediction reads `self.model`. The runtime check runs no user code (a property getter is
not called), so px.jit cannot see the module; the plugin, which knows the property's
type, reports it."""

# runtime: silent
import typing

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn


class TrainState(typing.NamedTuple):
    model: nn.Linear
    step: int


class Trainer:
    def __init__(self, model: nn.Linear):
        self.state = TrainState(model, 0)

    @property
    def model(self) -> nn.Linear:
        return self.state.model

    def predict(self, x):
        return px.jit(lambda x: self.model(x))(x)  # E: purepax-closure


Trainer(nn.Linear(3, 1, key=jax.random.key(0))).predict(jnp.ones((2, 3)))
