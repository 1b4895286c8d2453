"""Broadcasting that works: a row, a column, a scalar and a size-1 axis."""

import jax.numpy as jnp

x = jnp.ones((3, 4))
row = jnp.zeros(4)
column = jnp.zeros((3, 1))
y = x + row - column * 2.0 + jnp.ones((1, 4))
assert y.shape == (3, 4)
