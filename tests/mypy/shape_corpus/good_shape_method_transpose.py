"""A module that stores its weight as (dout, din) and multiplies by its transpose."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px


class TorchLinear(px.Module):
    weight: Float[Array, "dout din"]

    def __init__(self, din: int, dout: int, *, key: PRNGKeyArray) -> None:
        self.weight = jax.random.normal(key, (dout, din))

    def __call__(self, x: Float[Array, "*batch din"]) -> Float[Array, "*batch dout"]:
        return x @ self.weight.T


layer = TorchLinear(4, 2, key=jax.random.key(0))
assert layer(jnp.ones((3, 4))).shape == (3, 2)
