"""Inputs drawn with jax.random.normal at 3 features, for a model of 4."""

import jax

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
model = nn.Linear(4, 2, key=k1)
x = jax.random.normal(k2, (8, 3))
y = model(x)  # expect: purepax-shape
