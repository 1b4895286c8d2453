"""px.purecall of a layer and of a jitted step, on inputs that fit."""

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

model = nn.Linear(4, 1, key=jax.random.key(0))
model, out = px.purecall(model, jnp.ones((8, 4)))
step = px.jit(nn.Linear.__call__)
assert step(model, jnp.ones((2, 4))).shape == (2, 1) and out.shape == (8, 1)
