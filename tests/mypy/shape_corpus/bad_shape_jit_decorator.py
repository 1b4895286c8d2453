"""A @jax.jit function keeps its annotations: a batch of width 4 for width 3."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


@jax.jit
def squash(x: Float[Array, "batch 3"]) -> Float[Array, "batch 3"]:
    return x / (1.0 + jnp.abs(x))


print(squash(jnp.ones((2, 3))))
print(squash(jnp.ones((2, 4))))  # expect: purepax-shape
