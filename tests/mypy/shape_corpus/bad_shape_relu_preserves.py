"""jax.nn.relu keeps its input's shape: width 4 reaches a Linear built for 3."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 2, key=jax.random.key(0))
h = jax.nn.relu(jnp.ones((5, 4)))
y = layer(h)  # expect: purepax-shape
