"""astype, abs and the activations keep shapes; the Linear gets its width."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(4, 2, key=jax.random.key(0))
x = jnp.ones((3, 4), dtype=jnp.bfloat16).astype(jnp.float32)
h = jax.nn.softplus(jnp.abs(jax.nn.tanh(x)))
assert layer(h).shape == (3, 2)
