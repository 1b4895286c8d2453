"""A BatchNorm over the Linear's 8 outputs, in training and in eval mode."""

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

layer = nn.Linear(4, 8, key=jax.random.key(0))
bn = nn.BatchNorm(8)
bn, y = px.purecall(bn, layer(jnp.ones((4, 4))))
assert y.shape == (4, 8)
