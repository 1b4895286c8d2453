"""Both branches assign width 4; the layer takes 4."""

import sys

import jax
import jax.numpy as jnp

from purepax import nn

if len(sys.argv) > 100:
    h = jnp.zeros((2, 4))
else:
    h = jnp.ones((2, 4))
layer = nn.Linear(4, 2, key=jax.random.key(0))
assert layer(h).shape == (2, 2)
