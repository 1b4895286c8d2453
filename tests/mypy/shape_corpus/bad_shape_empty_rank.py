"""A buffer from jnp.empty of rank 2, for a function of rank-3 inputs."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def frames_mean(x: Float[Array, "b t d"]) -> Float[Array, "b d"]:
    return jnp.mean(x, axis=1)


buffer = jnp.empty((4, 8))
print(frames_mean(buffer))  # expect: purepax-shape
