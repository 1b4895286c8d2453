"""A size-1 axis broadcasts against anything: literal 1 against literal 5 is fine."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def gate(x: Float[Array, "b 5"], g: Float[Array, "#b 5"]) -> Float[Array, "b 5"]:
    return x * g


x = jnp.ones((3, 5))
print(gate(x, jnp.zeros((1, 5))), x * jnp.ones((1, 5)), x + jnp.ones((3, 1)))
