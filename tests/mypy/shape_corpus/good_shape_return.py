"""A function whose return matches what its layer computes."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn

layer = nn.Linear(3, 4, key=jax.random.key(0))


def encode(x: Float[Array, "b 3"]) -> Float[Array, "b 4"]:
    h = layer(x)
    return h


print(encode(jnp.ones((2, 3))).shape)
