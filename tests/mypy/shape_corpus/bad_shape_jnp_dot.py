"""jnp.dot of a (3, 4) and a (3, 2): contracting 4 against 3."""

import jax.numpy as jnp

features = jnp.ones((3, 4))
weights = jnp.ones((3, 2))
scores = jnp.dot(features, weights)  # expect: purepax-shape
