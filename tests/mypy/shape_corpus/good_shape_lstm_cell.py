"""An LSTMCell stepped on inputs and a state of its sizes."""

import jax
import jax.numpy as jnp

from purepax import nn

cell = nn.LSTMCell(4, 8, key=jax.random.key(0))
h, c = cell(jnp.ones((2, 4)), (jnp.zeros((2, 8)), jnp.zeros((2, 8))))
assert h.shape == c.shape == (2, 8)
