"""An MLP with 2 outputs feeding a head built for 3."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.MLP(4, 2, width=8, depth=2, key=k1)
head = nn.Linear(3, 1, key=k2)
features = mlp(jnp.ones((3, 4)))
score = head(features)  # expect: purepax-shape
