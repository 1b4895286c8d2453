"""A Linear built by keyword (in_features=3), called on width 2."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(out_features=4, in_features=3, key=jax.random.key(0))
y = layer(jnp.ones((2, 2)))  # expect: purepax-shape
