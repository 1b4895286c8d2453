"""An RMSNorm over the last two axes (4, 8) given activations ending in (8, 4)."""

import jax.numpy as jnp

from purepax import nn

norm = nn.RMSNorm((4, 8))
x = jnp.ones((2, 8, 4))
y = norm(x)  # expect: purepax-shape
