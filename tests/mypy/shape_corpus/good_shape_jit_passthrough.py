"""jax.jit and px.jit pass shapes through: calls that fit."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px
from purepax import nn


def normalise(x: Float[Array, "batch 3"]) -> Float[Array, "batch 3"]:
    return x / jnp.linalg.norm(x, axis=-1, keepdims=True)


@px.jit
def forward(layer: nn.Linear, x: Float[Array, "batch 3"]) -> Float[Array, "batch 2"]:
    return layer(x)


y = jax.jit(normalise)(jnp.ones((2, 3)))
out = forward(nn.Linear(3, 2, key=jax.random.key(0)), y)
assert out.shape == (2, 2)
