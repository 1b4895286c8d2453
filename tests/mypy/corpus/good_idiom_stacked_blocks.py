"""px.Stacked blocks: read-only blocks called directly, blocks with dropout called through
px.purecall in a jitted step (the new stack returned), eval mode, a loss over a stack."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn


class Block(px.Module):
    linear: nn.Linear
    drop: nn.Dropout

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.linear = nn.Linear(4, 4, key=k1)
        self.drop = nn.Dropout(0.1, key=k2)

    def __call__(self, x):
        return x + self.drop(jax.nn.gelu(self.linear(x)))


class Dense(px.Module):
    linear: nn.Linear

    def __init__(self, *, key):
        self.linear = nn.Linear(4, 4, key=key)

    def __call__(self, x):
        return jnp.tanh(self.linear(x))


keys = jax.random.split(jax.random.PRNGKey(0), 3)
blocks = px.stack(lambda key: Block(key=key), keys)
dense = px.stack(lambda key: Dense(key=key), keys)
x = jnp.ones((2, 4))

y = dense(x)
y = px.eval_mode(blocks)(x)


@jax.jit
def forward(blocks: px.Stacked[Block], x):
    blocks, y = px.purecall(blocks, x)
    return blocks, y


def loss(blocks: px.Stacked[Block], x):
    blocks, y = px.purecall(blocks, x)
    return jnp.mean(y**2), blocks


blocks, y = forward(blocks, x)
(value, blocks), grads = px.value_and_grad(loss, has_aux=True)(blocks, x)
g = px.grad(lambda s, x: jnp.sum(s(x)))(dense, x)
assert y.shape == (2, 4) and len(blocks) == 3
