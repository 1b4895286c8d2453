"""A sum over the last axis leaves (2, 4); the function wants (2, 3)."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def softmax_rows(x: Float[Array, "2 3"]) -> Float[Array, "2 3"]:
    return jnp.exp(x) / jnp.sum(jnp.exp(x), axis=-1, keepdims=True)


scores = jnp.ones((2, 4, 3))
pooled = jnp.sum(scores, axis=-1)
probs = softmax_rows(pooled)  # expect: purepax-shape
