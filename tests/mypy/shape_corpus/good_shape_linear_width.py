"""A Linear called on rows of its own input width; batched and unbatched."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 5, key=jax.random.key(0))
print(layer(jnp.ones((2, 3))).shape, layer(jnp.ones(3)).shape)
print(layer(jnp.ones((4, 2, 3))).shape)
