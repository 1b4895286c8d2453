"""Token vectors fed to a projection of the embedding's width, and tied output logits."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
embed = nn.Embedding(100, 8, key=k1)
proj = nn.Linear(8, 2, key=k2)
ids = jnp.array([[1, 2, 3]])
hidden = embed(ids)
logits = embed.attend(hidden)
assert logits.shape == (1, 3, 100) and proj(hidden).shape == (1, 3, 2)
