"""A function of a scalar given a vector of 3."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def clip_loss(loss: Float[Array, ""]) -> Float[Array, ""]:
    return jnp.minimum(loss, 10.0)


print(clip_loss(jnp.zeros(())))
print(clip_loss(jnp.zeros(3)))  # expect: purepax-shape
