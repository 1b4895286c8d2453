"""Adding an n-vector to an m-vector: only equal when n == m (strict mode reports it)."""

# shapes: strict
import jax.numpy as jnp
from jaxtyping import Array, Float


def residual(x: Float[Array, "n"], update: Float[Array, "m"]) -> Float[Array, "n"]:
    return x + update  # expect: purepax-shape-strict


print(residual(jnp.ones(3), jnp.ones(3)))
print(residual(jnp.ones(3), jnp.ones(4)))
