"""An MLP whose outputs feed a head of its width."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
mlp = nn.MLP(4, 2, width=8, depth=2, key=k1)
head = nn.Linear(2, 1, key=k2)
assert head(mlp(jnp.ones((3, 4)))).shape == (3, 1)
