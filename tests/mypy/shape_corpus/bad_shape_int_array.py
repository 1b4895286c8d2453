"""Int[Array, ...] shapes are checked like Float ones: labels of 5 for a batch of 4."""

import jax.numpy as jnp
from jaxtyping import Array, Float, Int


def accuracy(logits: Float[Array, "b c"], labels: Int[Array, "b"]) -> Float[Array, ""]:
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


logits = jnp.zeros((4, 3))
labels = jnp.zeros(5, dtype=jnp.int32)
print(accuracy(logits, labels))  # expect: purepax-shape
