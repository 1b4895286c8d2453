"""After an if/else that assigns widths 4 or 8, the width is unknown: silent."""

import sys

import jax
import jax.numpy as jnp

from purepax import nn

wide = len(sys.argv) > 100
if wide:
    h = jnp.ones((2, 8))
else:
    h = jnp.ones((2, 4))
layer = nn.Linear(4, 2, key=jax.random.key(0))
print(layer(h).shape)
