"""A loop that calls the model on an input it never rebinds: wrong on the first step."""

import jax
import jax.numpy as jnp

from purepax import nn

model = nn.Linear(4, 1, key=jax.random.key(0))
x = jnp.ones((2, 3))
total = jnp.zeros((2, 1))
for step in range(3):
    total = total + model(x)  # expect: purepax-shape
