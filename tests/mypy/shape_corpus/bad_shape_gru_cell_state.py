"""A GRUCell with 8 hidden units given a state of 4."""

import jax
import jax.numpy as jnp

from purepax import nn

cell = nn.GRUCell(3, 8, key=jax.random.key(0))
x = jnp.ones((2, 3))
h0 = jnp.zeros((2, 4))
h1 = cell(x, h0)  # expect: purepax-shape
