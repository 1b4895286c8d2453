"""A name rebound in a loop holds a different width each time round: silent."""

import jax
import jax.numpy as jnp

from purepax import nn

keys = jax.random.split(jax.random.key(0), 3)
widths = [4, 8, 8, 2]
layers = [nn.Linear(a, b, key=k) for a, b, k in zip(widths, widths[1:], keys)]
h = jnp.ones((2, 4))
for layer in layers:
    h = jax.nn.relu(layer(h))
final = nn.Linear(2, 1, key=jax.random.key(1))
assert final(h).shape == (2, 1)
