"""A function that promises width 5 and returns the Linear's width 4."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn

layer = nn.Linear(3, 4, key=jax.random.key(0))


def encode(x: Float[Array, "b 3"]) -> Float[Array, "b 5"]:
    h = layer(x)
    return h  # expect: purepax-shape


print(encode(jnp.ones((2, 3))))
