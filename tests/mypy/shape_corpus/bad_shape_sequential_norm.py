"""A Sequential whose LayerNorm normalises 16 features after a Linear of 8 outputs."""

import jax
import jax.numpy as jnp

from purepax import nn

block = nn.Sequential(nn.Linear(4, 8, key=jax.random.key(0)), nn.LayerNorm(16))
out = block(jnp.ones((2, 4)))  # expect: purepax-shape
