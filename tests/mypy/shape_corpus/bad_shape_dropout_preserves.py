"""Dropout keeps its input's shape: 4 features still, for a head built for 8."""

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
drop = nn.Dropout(0.1, key=k1)
head = nn.Linear(8, 2, key=k2)
drop, h = px.purecall(drop, jnp.ones((3, 4)))
logits = head(h)  # expect: purepax-shape
