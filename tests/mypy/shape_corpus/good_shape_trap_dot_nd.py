"""jnp.dot of N-d arrays is not matmul: no batch broadcasting between (2, 3, 4) and (5, 4, 6)."""

import jax.numpy as jnp

a = jnp.ones((2, 3, 4))
b = jnp.ones((5, 4, 6))
c = jnp.dot(a, b)
v = jnp.ones(3) @ jnp.ones((3, 5))
assert c.shape == (2, 3, 5, 6) and v.shape == (5,)
