"""A module built from sizes computed at run time: its dims are unknown, silent."""

import jax
import jax.numpy as jnp

from purepax import nn

data = jnp.ones((6, 5))
features = data.shape[-1]
layer = nn.Linear(features, 2, key=jax.random.key(0))
assert layer(data).shape == (6, 2)
