"""An upsampling ConvTranspose1d expecting 2 channels after a conv that makes 8."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
down = nn.Conv1d(2, 8, 4, stride=2, key=k1)
up = nn.ConvTranspose1d(2, 8, 4, stride=2, key=k2)
codes = down(jnp.ones((1, 8, 2)))
recon = up(codes)  # expect: purepax-shape
