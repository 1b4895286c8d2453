"""An annotated local that says width 5 where the Linear gives 4."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn

layer = nn.Linear(3, 4, key=jax.random.key(0))
x = jnp.ones((2, 3))
h: Float[Array, "2 5"] = layer(x)  # expect: purepax-shape
assert h.shape == (2, 5)
