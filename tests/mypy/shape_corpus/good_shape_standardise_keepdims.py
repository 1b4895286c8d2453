"""Centering and scaling with keepdims=True: (3, 1) broadcasts against (3, 4)."""

import jax.numpy as jnp

x = jnp.ones((3, 4))
mean = jnp.mean(x, axis=-1, keepdims=True)
std = jnp.std(x, axis=-1, keepdims=True)
z = (x - mean) / (std + 1e-6)
column_mean = jnp.mean(x, axis=0)
assert z.shape == (3, 4) and (x - column_mean).shape == (3, 4)
