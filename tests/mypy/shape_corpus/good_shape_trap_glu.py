"""jax.nn.glu halves the last axis (not every jax.nn function keeps the shape)."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
up = nn.Linear(4, 8, key=k1)
down = nn.Linear(4, 2, key=k2)
h = jax.nn.glu(up(jnp.ones((3, 4))))
probs = jax.nn.softmax(down(h))
assert probs.shape == (3, 2)
