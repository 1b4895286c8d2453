"""Arrays built in comprehensions and stacked: unknown shapes, silent."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 2, key=jax.random.key(0))
rows = [jnp.ones(3) * i for i in range(4)]
batch = jnp.stack(rows)
outputs = [layer(row) for row in rows]
assert layer(batch).shape == (4, 2) and len(outputs) == 4
