"""Two instances of one module class: each has its own din; the big one gets the small input."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px


class Readout(px.Module):
    weight: Float[Array, "din 1"]

    def __init__(self, din: int, *, key: PRNGKeyArray) -> None:
        self.weight = jax.random.normal(key, (din, 1))

    def __call__(self, x: Float[Array, "batch din"]) -> Float[Array, "batch 1"]:
        return x @ self.weight


k1, k2 = jax.random.split(jax.random.key(0))
small = Readout(2, key=k1)
big = Readout(4, key=k2)
print(small(jnp.ones((3, 2))))
print(big(jnp.ones((3, 2))))  # expect: purepax-shape
