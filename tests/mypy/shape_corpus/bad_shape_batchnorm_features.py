"""A BatchNorm over 8 features, run (through px.purecall) on 6 features."""

import jax.numpy as jnp

import purepax as px
from purepax import nn

bn = nn.BatchNorm(8)
x = jnp.ones((4, 6))
bn, y = px.purecall(bn, x)  # expect: purepax-shape
