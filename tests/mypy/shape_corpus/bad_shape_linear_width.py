"""A Linear built for 3 input features, called on rows of 4."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 5, key=jax.random.key(0))
x = jnp.ones((2, 4))
y = layer(x)  # expect: purepax-shape
print(y.shape)
