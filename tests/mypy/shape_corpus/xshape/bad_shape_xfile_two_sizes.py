"""Another file's function binds n to 3 and then to 2 in one call."""

import jax.numpy as jnp

from xshape.models import pair_distance

anchors = jnp.zeros((3, 2))
positives = jnp.ones((2, 2))
print(pair_distance(anchors, positives))  # expect: purepax-shape
