"""Scalars where scalars are expected; "..." accepts any shape."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def clip_loss(loss: Float[Array, ""]) -> Float[Array, ""]:
    return jnp.minimum(loss, 10.0)


def double(x: Float[Array, "..."]) -> Float[Array, "..."]:
    return 2 * x


print(clip_loss(jnp.mean(jnp.ones((3, 4)))), double(jnp.ones((2, 3, 4))).shape)
print(double(jnp.ones(())), clip_loss(jnp.sum(jnp.ones(3))))
