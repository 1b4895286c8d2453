"""Weights from jax.random.uniform at (5, 2), used after features of 4."""

import jax
import jax.numpy as jnp

key = jax.random.key(0)
w = jax.random.uniform(key, (5, 2))
x = jnp.ones((3, 4))
logits = x @ w  # expect: purepax-shape
