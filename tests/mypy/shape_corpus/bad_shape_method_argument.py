"""A module method other than __call__, with a class-scoped name in its parameter."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px


class Codebook(px.Module):
    codes: Float[Array, "size dim"]

    def __init__(self, size: int, dim: int, *, key: PRNGKeyArray) -> None:
        self.codes = jax.random.normal(key, (size, dim))

    def distances(self, z: Float[Array, "n dim"]) -> Float[Array, "n size"]:
        return jnp.sum((z[:, None, :] - self.codes[None]) ** 2, axis=-1)


book = Codebook(16, 4, key=jax.random.key(0))
print(book.distances(jnp.ones((5, 4))).shape)
print(book.distances(jnp.ones((5, 3))))  # expect: purepax-shape
