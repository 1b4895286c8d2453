"""Adding a (3, 4) and a (3, 5) array: trailing axes 4 and 5 do not broadcast."""

import jax.numpy as jnp

x = jnp.ones((3, 4))
bias = jnp.zeros((3, 5))
y = x + bias  # expect: purepax-shape
