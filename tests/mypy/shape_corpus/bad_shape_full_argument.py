"""jnp.full with a literal shape, given to a function of another size."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def attention_bias(mask: Float[Array, "4 4"]) -> Float[Array, "4 4"]:
    return jnp.where(mask > 0, 0.0, -1e9)


print(attention_bias(jnp.full((4, 4), 1.0)))
print(attention_bias(jnp.full((4, 5), 1.0)))  # expect: purepax-shape
