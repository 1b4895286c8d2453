"""jnp.matmul of batched matrices (8, 2, 3) and (8, 4, 5): contracting 3 against 4."""

import jax.numpy as jnp

queries = jnp.ones((8, 2, 3))
keys = jnp.ones((8, 4, 5))
scores = jnp.matmul(queries, keys)  # expect: purepax-shape
