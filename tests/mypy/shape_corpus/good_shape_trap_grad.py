"""grad's result has the shape of the parameters, not of the loss: silent."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def loss(w: Float[Array, "3 2"], x: Float[Array, "4 3"]) -> Float[Array, ""]:
    return jnp.mean((x @ w) ** 2)


def sgd(w: Float[Array, "3 2"], g: Float[Array, "3 2"]) -> Float[Array, "3 2"]:
    return w - 0.1 * g


w = jnp.ones((3, 2))
x = jnp.ones((4, 3))
g = jax.grad(loss)(w, x)
value, g2 = jax.value_and_grad(loss)(w, x)
w = sgd(sgd(w, g), g2)
print(w.shape, value)
