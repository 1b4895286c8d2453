"""A function that returns an annotated callee's (b, 4) where it promises (b, 2)."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def features(x: Float[Array, "b 3"]) -> Float[Array, "b 4"]:
    return jnp.concatenate([x, jnp.sum(x, axis=-1, keepdims=True)], axis=-1)


def logits(x: Float[Array, "b 3"]) -> Float[Array, "b 2"]:
    return features(x)  # expect: purepax-shape


print(logits(jnp.ones((5, 3))))
