"""A down- and up-sampling pair whose channels meet (8 out, 8 in)."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
down = nn.Conv1d(2, 8, 4, stride=2, key=k1)
up = nn.ConvTranspose1d(8, 2, 4, stride=2, key=k2)
x = jnp.ones((1, 8, 2))
assert up(down(x)).shape == (1, 8, 2)
