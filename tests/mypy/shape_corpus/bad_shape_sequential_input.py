"""A well-formed Sequential called on inputs of the wrong width."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.Sequential(nn.Linear(4, 8, key=k1), jax.nn.gelu, nn.Linear(8, 2, key=k2))
batch = jnp.ones((5, 3))
y = mlp(batch)  # expect: purepax-shape
