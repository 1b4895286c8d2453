"""A bilinear form with int fields n and m, given vectors of those sizes."""

import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Bilinear(px.Module):
    n: int
    m: int
    w: Float[Array, "n m"]

    def __call__(self, x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, ""]:
        return x @ self.w @ y


form = Bilinear(2, 3, jnp.ones((2, 3)))
square = Bilinear(n=3, m=3, w=jnp.eye(3))
print(form(jnp.ones(2), jnp.ones(3)), square(jnp.ones(3), jnp.arange(3.0)))
