"""Both branches assign width 4; the layer takes 4."""

import jax
import jax.numpy as jnp

from purepax import nn

if float(jnp.sum(jnp.zeros(3))) > 1.0:
    h = jnp.zeros((2, 4))
else:
    h = jnp.ones((2, 4))
layer = nn.Linear(4, 2, key=jax.random.key(0))
assert layer(h).shape == (2, 2)
