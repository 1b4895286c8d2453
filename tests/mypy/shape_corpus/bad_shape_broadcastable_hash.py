"""A `#d` argument broadcasts against d: size 1 or d, and 3 is neither of 1 and 4."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def shift(x: Float[Array, "b d"], offset: Float[Array, "#d"]) -> Float[Array, "b d"]:
    return x + offset


x = jnp.ones((2, 4))
print(shift(x, jnp.ones(1)))
print(shift(x, jnp.ones(3)))  # expect: purepax-shape
