"""Embedding lookups of ids of any rank, then a Linear over the vectors."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
embed = nn.Embedding(100, 8, key=k1)
proj = nn.Linear(8, 2, key=k2)
one = embed(jnp.array(3))
grid = embed(jnp.zeros((2, 3, 5), dtype=jnp.int32))
assert proj(one).shape == (2,) and proj(grid).shape == (2, 3, 5, 2)
