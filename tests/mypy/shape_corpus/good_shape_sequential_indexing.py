"""Layers read out of a Sequential by index or slice: unknown, silent, and right."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.Sequential(nn.Linear(4, 8, key=k1), jax.nn.relu, nn.Linear(8, 2, key=k2))
trunk = mlp[:2]
features = trunk(jnp.ones((3, 4)))
assert mlp[2](features).shape == (3, 2) and len(mlp) == 3
