"""Slicing and indexing change shapes: the first 3 of 4 features go to a width-3 layer."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 2, key=jax.random.key(0))
x = jnp.ones((5, 4))
y = layer(x[:, :3])
z = layer(x[0, 1:])
w = layer(x[..., jnp.array([0, 1, 3])])
assert y.shape == (5, 2) and z.shape == (2,) and w.shape == (5, 2)
