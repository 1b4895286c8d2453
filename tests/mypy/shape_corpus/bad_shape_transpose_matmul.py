"""x.T is (3, 2): multiplying it by a (3, 5) matrix contracts 2 against 3."""

import jax.numpy as jnp

x = jnp.ones((2, 3))
w = jnp.ones((3, 5))
y = x.T @ w  # expect: purepax-shape
