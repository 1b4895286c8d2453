"""A convolution's 8 output channels fed to a head that expects 16."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
conv = nn.Conv1d(2, 8, 4, stride=2, key=k1)
head = nn.Linear(16, 2, key=k2)
signal = jnp.ones((1, 8, 2))
logits = head(conv(signal))  # expect: purepax-shape
