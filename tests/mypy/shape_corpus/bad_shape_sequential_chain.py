"""A Sequential whose second Linear expects 16 features where the first gives 8."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.Sequential(
    nn.Linear(4, 8, key=k1),
    jax.nn.relu,
    nn.Linear(16, 2, key=k2),
)
x = jnp.ones((5, 4))
y = mlp(x)  # expect: purepax-shape
