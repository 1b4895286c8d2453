"""One unbatched example of the wrong width given to a classifier head."""

import jax
import jax.numpy as jnp

from purepax import nn

head = nn.Linear(8, 2, key=jax.random.key(1))
features = jnp.zeros(4)
logits = head(features)  # expect: purepax-shape
