"""A loop whose body keeps every shape: accumulating predictions of a fixed input."""

import jax
import jax.numpy as jnp

from purepax import nn

model = nn.Linear(4, 1, key=jax.random.key(0))
x = jnp.ones((2, 4))
total = jnp.zeros((2, 1))
for step in range(3):
    total = total + model(x) * step
assert total.shape == (2, 1)
