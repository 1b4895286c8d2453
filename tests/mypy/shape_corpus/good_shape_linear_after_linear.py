"""An encoder-decoder pair whose widths meet, with an activation between."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
encoder = nn.Linear(4, 8, key=k1)
decoder = nn.Linear(8, 2, key=k2)
x = jnp.ones((3, 4))
h = jax.nn.relu(encoder(x))
out = decoder(h)
assert out.shape == (3, 2)
