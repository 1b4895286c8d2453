"""An annotated function's result (batch, 4) fed to a Linear built for 3."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn


def pool(x: Float[Array, "batch time 4"]) -> Float[Array, "batch 4"]:
    return jnp.mean(x, axis=1)


head = nn.Linear(3, 2, key=jax.random.key(0))
summary = pool(jnp.ones((2, 7, 4)))
logits = head(summary)  # expect: purepax-shape
