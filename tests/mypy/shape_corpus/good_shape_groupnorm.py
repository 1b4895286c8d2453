"""A GroupNorm after a convolution with as many output channels."""

import jax
import jax.numpy as jnp

from purepax import nn

conv = nn.Conv2d(3, 8, 3, key=jax.random.key(0))
norm = nn.GroupNorm(2, 8)
out = norm(conv(jnp.ones((1, 4, 4, 3))))
assert out.shape == (1, 4, 4, 8)
