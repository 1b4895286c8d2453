"""(2, 3, 4) + (5, 4): the trailing 4s agree, 3 against 5 does not broadcast."""

import jax.numpy as jnp

x = jnp.ones((2, 3, 4))
y = jnp.zeros((5, 4))
z = x * y  # expect: purepax-shape
