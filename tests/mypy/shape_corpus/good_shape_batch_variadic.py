"""*batch matches any number of leading axes, the same in every argument of one call."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def mse(
    pred: Float[Array, "*batch 2"], target: Float[Array, "*batch 2"]
) -> Float[Array, ""]:
    return jnp.mean((pred - target) ** 2)


print(mse(jnp.zeros((4, 2)), jnp.ones((4, 2))))
print(mse(jnp.zeros((3, 5, 2)), jnp.ones((3, 5, 2))))
print(mse(jnp.zeros(2), jnp.ones(2)))
