"""jnp.dot and batched jnp.matmul whose contracted sizes agree."""

import jax.numpy as jnp

features = jnp.ones((3, 4))
weights = jnp.ones((4, 2))
scores = jnp.dot(features, weights)
queries = jnp.ones((8, 2, 3))
keys = jnp.ones((8, 3, 5))
attn = jnp.matmul(queries, keys)
assert scores.shape == (3, 2) and attn.shape == (8, 2, 5)
