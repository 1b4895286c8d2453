"""An annotated function given literal-sized arrays that fit, any batch size."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def score(x: Float[Array, "batch 4"]) -> Float[Array, "batch"]:
    return jnp.sum(x, axis=-1)


print(score(jnp.ones((2, 4))), score(jnp.zeros((7, 4))))
total: Float[Array, "3"] = score(jnp.ones((3, 4)))
print(total)
