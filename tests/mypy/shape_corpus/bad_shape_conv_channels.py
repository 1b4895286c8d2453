"""An RGB convolution given a grayscale (one-channel) image batch."""

import jax
import jax.numpy as jnp

from purepax import nn

conv = nn.Conv2d(3, 8, 3, key=jax.random.key(0))
images = jnp.ones((1, 4, 4, 1))
features = conv(images)  # expect: purepax-shape
