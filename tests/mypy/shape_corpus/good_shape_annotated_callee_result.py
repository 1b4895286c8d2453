"""An annotated function's result fed to a layer of its width."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn


def pool(x: Float[Array, "batch time 4"]) -> Float[Array, "batch 4"]:
    return jnp.mean(x, axis=1)


head = nn.Linear(4, 2, key=jax.random.key(0))
assert head(pool(jnp.ones((2, 7, 4)))).shape == (2, 2)
