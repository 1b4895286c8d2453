"""Broadcasting that adds leading axes: (2, 3, 4) with (3, 4), (4,) and (1, 1, 4)."""

import jax.numpy as jnp

x = jnp.ones((2, 3, 4))
z = x * jnp.zeros((3, 4)) + jnp.ones(4) - jnp.ones((1, 1, 4))
assert z.shape == (2, 3, 4)
