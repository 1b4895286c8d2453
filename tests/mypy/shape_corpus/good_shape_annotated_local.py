"""Annotated locals that match what is assigned, checked at run time too."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn

layer = nn.Linear(3, 4, key=jax.random.key(0))
x: Float[Array, "2 3"] = jnp.ones((2, 3))
h: Float[Array, "2 4"] = layer(x)
assert h.shape == (2, 4)
