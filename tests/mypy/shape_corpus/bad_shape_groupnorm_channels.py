"""A GroupNorm over 8 channels applied to feature maps of 6 channels."""

import jax.numpy as jnp

from purepax import nn

norm = nn.GroupNorm(2, 8)
maps = jnp.ones((1, 4, 4, 6))
out = norm(maps)  # expect: purepax-shape
