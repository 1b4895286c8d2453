"""A convolution's channels feed a Linear over the channel axis (channels last)."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
conv = nn.Conv2d(3, 8, 3, key=k1)
head = nn.Linear(8, 2, key=k2)
images = jnp.ones((1, 4, 4, 3))
logits = head(jax.nn.relu(conv(images)))
assert logits.shape == (1, 4, 4, 2)
