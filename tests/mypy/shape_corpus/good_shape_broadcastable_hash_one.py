"""A `#d` argument given 1 broadcasts against d = 4: fine."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def shift(x: Float[Array, "b d"], offset: Float[Array, "#d"]) -> Float[Array, "b d"]:
    return x + offset


x = jnp.ones((2, 4))
print(shift(x, jnp.ones(1)), shift(x, jnp.zeros(4)))
