"""A GRUCell whose state feeds the next step and a readout of its width."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
cell = nn.GRUCell(3, 8, key=k1)
readout = nn.Linear(8, 2, key=k2)
h = cell(jnp.ones((2, 3)), jnp.zeros((2, 8)))
h = cell(jnp.ones((2, 3)), h)
assert readout(h).shape == (2, 2)
