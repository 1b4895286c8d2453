"""Tied output logits: the query's last axis must be the embedding's width."""

import jax
import jax.numpy as jnp

from purepax import nn

embed = nn.Embedding(100, 8, key=jax.random.key(0))
query = jnp.ones((2, 6))
logits = embed.attend(query)  # expect: purepax-shape
