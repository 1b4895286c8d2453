"""Inputs and targets whose batch shapes differ: *batch bound to (4,) and then (3,)."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def mse(
    pred: Float[Array, "*batch 2"], target: Float[Array, "*batch 2"]
) -> Float[Array, ""]:
    return jnp.mean((pred - target) ** 2)


pred = jnp.zeros((4, 2))
target = jnp.ones((3, 2))
loss = mse(pred, target)  # expect: purepax-shape
