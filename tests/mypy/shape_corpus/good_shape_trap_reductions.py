"""Reductions over several axes, without axis, and argmax: the results fit."""

import jax
import jax.numpy as jnp

from purepax import nn

x = jnp.ones((2, 3, 4))
pooled = jnp.mean(x, axis=(0, 1))
total = jnp.sum(x)
best = jnp.argmax(x, axis=-1)
layer = nn.Linear(4, 2, key=jax.random.key(0))
assert layer(pooled).shape == (2,) and total.shape == () and best.shape == (2, 3)
