"""A plain class (not a module): its __init__ ints name nothing; names stay per call."""

import jax.numpy as jnp
from jaxtyping import Array, Float


class Window:
    def __init__(self, n: int) -> None:
        self.n = n

    def smooth(self, x: Float[Array, "n"]) -> Float[Array, "n"]:
        return jnp.convolve(x, jnp.ones(self.n) / self.n, mode="same")


w = Window(3)
print(w.smooth(jnp.arange(8.0)).shape, w.smooth(jnp.ones(5)).shape)
