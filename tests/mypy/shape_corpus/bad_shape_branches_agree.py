"""Both branches assign width 5, so after the join the width is known: 5, not 4."""

import jax
import jax.numpy as jnp

from purepax import nn

if float(jnp.sum(jnp.zeros(3))) > 1.0:
    h = jnp.zeros((2, 5))
else:
    h = jnp.ones((2, 5))
layer = nn.Linear(4, 2, key=jax.random.key(0))
y = layer(h)  # expect: purepax-shape
