"""A bilinear form with int fields n and m: the second vector must have m entries."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Bilinear(px.Module):
    n: int
    m: int
    w: Float[Array, "n m"]

    def __call__(self, x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, ""]:
        return x @ self.w @ y


form = Bilinear(n=2, m=3, w=jnp.ones((2, 3)))
print(form(jnp.ones(2), jnp.ones(3)))
print(form(jnp.ones(2), jnp.ones(2)))  # expect: purepax-shape
