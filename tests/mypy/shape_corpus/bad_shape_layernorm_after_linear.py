"""A pre-norm block: LayerNorm(16) placed after a Linear that gives 8 features."""

import jax
import jax.numpy as jnp

from purepax import nn

proj = nn.Linear(4, 8, key=jax.random.key(0))
norm = nn.LayerNorm(16)
h = proj(jnp.ones((2, 4)))
h = norm(h)  # expect: purepax-shape
