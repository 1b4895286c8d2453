"""An LSTMCell built for inputs of 4 features, stepped on inputs of 3."""

import jax
import jax.numpy as jnp

from purepax import nn

cell = nn.LSTMCell(4, 8, key=jax.random.key(0))
state = (jnp.zeros((2, 8)), jnp.zeros((2, 8)))
x = jnp.ones((2, 3))
state = cell(x, state)  # expect: purepax-shape
