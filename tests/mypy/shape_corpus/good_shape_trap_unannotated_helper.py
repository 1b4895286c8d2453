"""An unannotated helper doubles the width: its result is unknown, so silent."""

import jax
import jax.numpy as jnp

from purepax import nn


def with_mirror(x):
    return jnp.concatenate([x, -x], axis=-1)


layer = nn.Linear(8, 2, key=jax.random.key(0))
x = jnp.ones((3, 4))
y = layer(with_mirror(x))
assert y.shape == (3, 2)
