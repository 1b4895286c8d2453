"""A function of a matrix given a vector: rank 1 where rank 2 is required."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def gram(x: Float[Array, "n d"]) -> Float[Array, "n n"]:
    return x @ x.T


print(gram(jnp.ones((3, 2))).shape)
print(gram(jnp.ones(3)))  # expect: purepax-shape
