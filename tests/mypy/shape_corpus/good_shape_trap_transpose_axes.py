"""Transposes with explicit axes and moveaxis: not modelled, silent."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 2, key=jax.random.key(0))
x = jnp.ones((3, 5, 4))
y = layer(jnp.transpose(x, (2, 1, 0)))
z = layer(jnp.moveaxis(x, 0, -1))
assert y.shape == (4, 5, 2) and z.shape == (5, 4, 2)
