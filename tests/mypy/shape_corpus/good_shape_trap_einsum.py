"""einsum's output shape comes from its formula, which the rule does not read."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(8, 2, key=jax.random.key(0))
a = jnp.ones((2, 4))
b = jnp.ones((4, 8))
h = jnp.einsum("ij,jk->ik", a, b)
out = layer(h)
assert out.shape == (2, 2)
