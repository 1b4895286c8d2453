"""A notebook: the model cell is re-run with a wider hidden layer, but not the cell that
built the optimizer, so the old optimizer (for width 8) is handed the width-16 model.
Shapes are not types: only the runtime sees this (no plugin report)."""

# runtime: ModelMismatchError
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class MLP(px.Module):
    hidden: nn.Linear
    out: nn.Linear

    def __init__(self, width, *, key):
        k1, k2 = jax.random.split(key)
        self.hidden = nn.Linear(2, width, key=k1)
        self.out = nn.Linear(width, 1, key=k2)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


@px.jit
def train_step(model, optimizer, x, y):
    loss, grads = px.value_and_grad(loss_fn)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


x, y = jnp.ones((8, 2)), jnp.zeros((8, 1))

# [1] model
model = MLP(8, key=jax.random.key(0))
# [2] optimizer
optimizer = Optimizer(optax.adam(1e-3), model)
# [3] train
model, optimizer, loss = train_step(model, optimizer, x, y)

# [1] again, wider
model = MLP(16, key=jax.random.key(0))
# [3] again
model, optimizer, loss = train_step(model, optimizer, x, y)
