""".T reverses every axis: (2, 3, 4).T is (4, 3, 2), whose last axis is 2."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(2, 5, key=jax.random.key(0))
x = jnp.ones((2, 3, 4))
y = layer(x.T)
assert y.shape == (4, 3, 5)
