"""Dropout between two layers whose widths meet."""

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
body = nn.Linear(4, 8, key=k1)
drop = nn.Dropout(0.1, key=k2)
head = nn.Linear(8, 2, key=k3)
drop, h = px.purecall(drop, body(jnp.ones((3, 4))))
assert head(h).shape == (3, 2)
