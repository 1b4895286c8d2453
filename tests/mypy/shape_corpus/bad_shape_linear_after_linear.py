"""Two Linears whose widths do not meet: 8 features out, 16 expected in."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
encoder = nn.Linear(4, 8, key=k1)
decoder = nn.Linear(16, 4, key=k2)
x = jnp.ones((3, 4))
h = jax.nn.relu(encoder(x))
out = decoder(h)  # expect: purepax-shape
