"""A dataclass-style module whose weight must have 2 columns, built with 4."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Head(px.Module):
    features: int
    weight: Float[Array, "features 2"]

    def __call__(self, x: Float[Array, "b features"]) -> Float[Array, "b 2"]:
        return x @ self.weight


head = Head(features=3, weight=jnp.zeros((3, 4)))  # expect: purepax-shape
