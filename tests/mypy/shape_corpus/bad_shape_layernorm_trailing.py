"""nn.LayerNorm(16) normalises a trailing axis of 16; the activations have 8."""

import jax.numpy as jnp

from purepax import nn

norm = nn.LayerNorm(16)
h = jnp.ones((2, 8))
y = norm(h)  # expect: purepax-shape
