"""px.purecall passes the module's shapes through: a width-5 batch for a width-4 Linear."""

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

model = nn.Linear(4, 1, key=jax.random.key(0))
model, ok = px.purecall(model, jnp.ones((8, 4)))
model, out = px.purecall(model, jnp.ones((8, 5)))  # expect: purepax-shape
