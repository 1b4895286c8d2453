"""Token vectors of size 8 fed to a projection that expects 16."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
embed = nn.Embedding(100, 8, key=k1)
proj = nn.Linear(16, 2, key=k2)
ids = jnp.array([[1, 2, 3]])
vectors = embed(ids)
hidden = proj(vectors)  # expect: purepax-shape
