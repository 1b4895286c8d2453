"""An annotated scoring function given a batch of the wrong width."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def score(x: Float[Array, "batch 4"]) -> Float[Array, "batch"]:
    return jnp.sum(x, axis=-1)


print(score(jnp.ones((2, 4))))
print(score(jnp.ones((2, 5))))  # expect: purepax-shape
