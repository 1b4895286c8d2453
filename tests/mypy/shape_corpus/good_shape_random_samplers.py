"""Samplers with literal sizes feeding a model that fits them."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2, k3, k4 = jax.random.split(jax.random.key(0), 4)
model = nn.Linear(4, 2, key=k1)
x = jax.random.normal(k2, (8, 4))
noise = jax.random.uniform(k3, (8, 4), minval=-0.1, maxval=0.1)
mask = jax.random.bernoulli(k4, 0.5, (8, 2))
y = jnp.where(mask, model(x + noise), 0.0)
assert y.shape == (8, 2)
