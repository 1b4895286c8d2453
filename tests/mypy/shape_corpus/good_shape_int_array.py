"""Labels and logits with one batch size."""

import jax.numpy as jnp
from jaxtyping import Array, Float, Int


def accuracy(logits: Float[Array, "b c"], labels: Int[Array, "b"]) -> Float[Array, ""]:
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


print(accuracy(jnp.zeros((4, 3)), jnp.zeros(4, dtype=jnp.int32)))
