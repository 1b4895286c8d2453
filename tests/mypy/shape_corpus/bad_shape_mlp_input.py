"""nn.MLP(4, 2, ...) takes 4 features; a batch of 5 features is given."""

import jax
import jax.numpy as jnp

from purepax import nn

mlp = nn.MLP(4, 2, width=8, depth=2, key=jax.random.key(0))
y = mlp(jnp.ones((3, 5)))  # expect: purepax-shape
