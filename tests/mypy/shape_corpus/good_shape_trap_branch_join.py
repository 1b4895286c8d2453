"""After an if/else that assigns widths 8 or 4, the width is unknown: silent."""

import jax
import jax.numpy as jnp

from purepax import nn

wide = float(jnp.sum(jnp.zeros(3))) > 1.0  # False, but not to a type checker
if wide:
    h = jnp.ones((2, 8))
else:
    h = jnp.ones((2, 4))
layer = nn.Linear(4, 2, key=jax.random.key(0))
print(layer(h).shape)
