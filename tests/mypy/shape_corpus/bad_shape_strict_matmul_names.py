"""A product contracting d against k: the names differ, so strict mode reports it."""

# shapes: strict
import jax.numpy as jnp
from jaxtyping import Array, Float


def apply(x: Float[Array, "b d"], w: Float[Array, "k h"]) -> Float[Array, "b h"]:
    return x @ w  # expect: purepax-shape-strict


print(apply(jnp.ones((2, 3)), jnp.ones((4, 5))))
