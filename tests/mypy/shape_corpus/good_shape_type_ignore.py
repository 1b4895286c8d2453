"""A shape clash silenced with `# type: ignore[purepax-shape]`, on a path never run."""

import jax
import jax.numpy as jnp

from purepax import nn

layer = nn.Linear(3, 2, key=jax.random.key(0))


def broken() -> jax.Array:
    return layer(jnp.ones((2, 4)))  # type: ignore[purepax-shape]


print(layer(jnp.ones((2, 3))))
