"""One name bound once per call: different calls may bind it to different sizes."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def cosine(a: Float[Array, "n"], b: Float[Array, "n"]) -> Float[Array, ""]:
    return jnp.dot(a, b) / (jnp.linalg.norm(a) * jnp.linalg.norm(b))


print(cosine(jnp.ones(3), jnp.ones(3)))
print(cosine(jnp.ones(4), jnp.arange(4.0)))
