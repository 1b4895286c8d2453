"""A Sequential with a Lambda and a plain function that change the width: unknown."""

import jax
import jax.numpy as jnp

from purepax import nn


def mirror(x):
    return jnp.concatenate([x, -x], axis=-1)


k1, k2 = jax.random.split(jax.random.key(0))
model = nn.Sequential(
    nn.Linear(4, 2, key=k1),
    mirror,
    nn.Lambda(lambda x: jnp.concatenate([x, x], axis=-1)),
    nn.Linear(8, 2, key=k2),
)
assert model(jnp.ones((3, 4))).shape == (3, 2)
