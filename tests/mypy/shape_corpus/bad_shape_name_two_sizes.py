"""One name, n, bound to 3 by the first argument and to 4 by the second."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def cosine(a: Float[Array, "n"], b: Float[Array, "n"]) -> Float[Array, ""]:
    return jnp.dot(a, b) / (jnp.linalg.norm(a) * jnp.linalg.norm(b))


u = jnp.ones(3)
v = jnp.ones(4)
print(cosine(u, v))  # expect: purepax-shape
