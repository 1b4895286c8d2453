"""A dataclass-style module: its int fields name the dimensions of its arrays."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Scale(px.Module):
    features: int
    gain: Float[Array, "features"]

    def __call__(
        self, x: Float[Array, "*batch features"]
    ) -> Float[Array, "*batch features"]:
        return x * self.gain


scale = Scale(features=4, gain=jnp.ones(4))
h = jnp.ones((3, 6))
out = scale(h)  # expect: purepax-shape
