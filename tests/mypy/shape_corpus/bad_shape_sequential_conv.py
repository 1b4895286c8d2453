"""A convolutional Sequential: 8 channels out of the first conv, 3 expected by the next."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
features = nn.Sequential(
    nn.Conv2d(3, 8, 3, key=k1),
    jax.nn.relu,
    nn.Conv2d(3, 8, 3, key=k2),
)
images = jnp.ones((1, 4, 4, 3))
maps = features(images)  # expect: purepax-shape
