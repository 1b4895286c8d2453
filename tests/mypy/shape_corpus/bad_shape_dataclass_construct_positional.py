"""A dataclass-style codebook built positionally: size=8, dim=4, codes of (8, 3)."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Codebook(px.Module):
    size: int
    dim: int
    codes: Float[Array, "size dim"]


book = Codebook(8, 4, jnp.zeros((8, 3)))  # expect: purepax-shape
