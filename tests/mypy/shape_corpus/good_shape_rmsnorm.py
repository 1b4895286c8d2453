"""RMSNorm from an int and from a tuple, on inputs ending in its shape."""

import jax.numpy as jnp

from purepax import nn

print(
    nn.RMSNorm(8)(jnp.ones((2, 8))).shape, nn.RMSNorm((4, 8))(jnp.ones((2, 4, 8))).shape
)
