"""A dataclass-style module built with features=4 and a gain of 5 entries."""

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


ok = Scale(features=4, gain=jnp.ones(4))
scale = Scale(features=4, gain=jnp.ones(5))  # expect: purepax-shape
