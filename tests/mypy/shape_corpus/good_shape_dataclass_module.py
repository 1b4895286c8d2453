"""A dataclass-style module called on inputs that end in its int field."""

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


scale = Scale(features=4, gain=jnp.full(4, 2.0))
out = scale(jnp.ones((3, 4)))
assert out.shape == (3, 4)
