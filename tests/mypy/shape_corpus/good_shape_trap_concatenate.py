"""concatenate and stack change the shape along an axis: not modelled, silent."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(8, 2, key=jax.random.key(0))
a = jnp.ones((2, 4))
b = jnp.zeros((2, 4))
both = jnp.concatenate([a, b], axis=-1)
stacked = jnp.stack([a, a])
assert layer(both).shape == (2, 2) and stacked.shape == (2, 2, 4)
