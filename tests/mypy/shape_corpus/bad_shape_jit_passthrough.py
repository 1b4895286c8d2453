"""jax.jit keeps the function's annotations: the clash is at the jitted call."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def normalise(x: Float[Array, "batch 3"]) -> Float[Array, "batch 3"]:
    return x / jnp.linalg.norm(x, axis=-1, keepdims=True)


fast = jax.jit(normalise)
print(fast(jnp.ones((2, 3))))
print(fast(jnp.ones((2, 4))))  # expect: purepax-shape
