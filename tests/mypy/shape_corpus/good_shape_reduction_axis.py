"""Reductions with a literal axis, with and without keepdims, feeding calls that fit."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def softmax_rows(x: Float[Array, "2 4"]) -> Float[Array, "2 4"]:
    return jnp.exp(x) / jnp.sum(jnp.exp(x), axis=-1, keepdims=True)


scores = jnp.ones((2, 4, 3))
pooled = jnp.sum(scores, axis=-1)
probs = softmax_rows(pooled)
peak = jnp.max(scores, axis=1, keepdims=True)
assert probs.shape == (2, 4) and (scores - peak).shape == (2, 4, 3)
