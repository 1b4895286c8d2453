"""Matrix products whose contracted sizes agree, with .T and jnp.matmul."""

import jax.numpy as jnp

a = jnp.ones((2, 3))
b = jnp.ones((3, 5))
c = a @ b
d = jnp.matmul(c.T, jnp.ones((2, 7)))
assert d.shape == (5, 7)
