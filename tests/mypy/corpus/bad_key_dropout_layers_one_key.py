"""Two Dropout layers built from the same key drop the same units."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax.nn as nn

key = jax.random.key(0)
drop_a = nn.Dropout(0.5, key=key)
drop_b = nn.Dropout(0.5, key=key)  # E: purepax-key-reuse
print(drop_a.rate, drop_b.rate)
