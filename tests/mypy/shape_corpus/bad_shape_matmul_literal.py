"""A (2, 3) by (4, 5) product: the contracted sizes 3 and 4 differ."""

import jax.numpy as jnp

a = jnp.ones((2, 3))
b = jnp.ones((4, 5))
c = a @ b  # expect: purepax-shape
