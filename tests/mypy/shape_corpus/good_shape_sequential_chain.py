"""A Sequential whose layers meet, called on its input width."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.Sequential(
    nn.Linear(4, 8, key=k1),
    jax.nn.relu,
    nn.LayerNorm(8),
    nn.Linear(8, 2, key=k2),
)
y = mlp(jnp.ones((5, 4)))
assert y.shape == (5, 2)
