"""Inside a function, an annotated local claims (b, 2) for the Linear's (b, 4)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn


def main() -> None:
    layer = nn.Linear(3, 4, key=jax.random.key(0))
    x = jnp.ones((5, 3))
    h: Float[Array, "5 2"] = layer(x)  # expect: purepax-shape
    assert h.shape == (5, 2)


main()
