"""A user module whose weight is (din, dout), called on inputs of width din."""

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


k1, k2 = jax.random.split(jax.random.key(0))
first = Affine(3, 5, key=k1)
second = Affine(5, 2, key=k2)
y = second(jax.nn.tanh(first(jnp.ones((2, 3)))))
assert y.shape == (2, 2)
