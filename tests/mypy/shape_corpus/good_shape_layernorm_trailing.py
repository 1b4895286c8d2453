"""LayerNorm from an int and from a tuple, each on inputs ending in its shape."""

import jax.numpy as jnp

from purepax import nn

norm = nn.LayerNorm(16)
print(norm(jnp.ones((2, 16))).shape, norm(jnp.ones(16)).shape)
norm2 = nn.LayerNorm((4, 8))
print(norm2(jnp.ones((3, 4, 8))).shape)
