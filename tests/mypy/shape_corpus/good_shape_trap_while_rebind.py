"""A name doubled in a while loop until it is wide enough: unknown after the loop."""

import jax
import jax.numpy as jnp

from purepax import nn

h = jnp.ones((2, 4))
while h.shape[-1] < 8:
    h = jnp.concatenate([h, h], axis=-1)
layer = nn.Linear(8, 2, key=jax.random.key(0))
assert layer(h).shape == (2, 2)
