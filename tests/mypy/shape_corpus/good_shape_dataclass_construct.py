"""Dataclass-style modules built with arrays of their int fields' sizes."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Codebook(px.Module):
    size: int
    dim: int
    codes: Float[Array, "size dim"]


book = Codebook(8, 4, jnp.zeros((8, 4)))
other = Codebook(size=2, dim=3, codes=jnp.ones((2, 3)))
print(book.codes.shape, other.codes.shape)
