"""reshape changes the shape in ways the rule does not follow: silent, and right."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(4, 2, key=jax.random.key(0))
flat = jnp.ones((2, 12))
x = flat.reshape(2, 3, 4)
y = layer(x)
z = layer(jnp.reshape(jnp.ones(8), (2, 4)))
assert y.shape == (2, 3, 2) and z.shape == (2, 2)
