"""A (dout, din) weight used without its transpose: x (3, 4) @ weight (2, 4)."""

import jax
import jax.numpy as jnp

weight = jax.random.normal(jax.random.key(0), (2, 4))
x = jnp.ones((3, 4))
y = x @ weight  # expect: purepax-shape
