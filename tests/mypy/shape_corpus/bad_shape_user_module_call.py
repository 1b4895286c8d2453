"""A user module whose weight is (din, dout), tied to its constructor's ints."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px


class Affine(px.Module):
    weight: Float[Array, "din dout"]
    bias: Float[Array, "dout"]

    def __init__(self, din: int, dout: int, *, key: PRNGKeyArray) -> None:
        self.weight = jax.random.normal(key, (din, dout)) / din**0.5
        self.bias = jnp.zeros(dout)

    def __call__(self, x: Float[Array, "*batch din"]) -> Float[Array, "*batch dout"]:
        return x @ self.weight + self.bias


model = Affine(3, 5, key=jax.random.key(0))
x = jnp.ones((2, 4))
y = model(x)  # expect: purepax-shape
