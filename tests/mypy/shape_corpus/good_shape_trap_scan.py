"""A scan's stacked outputs gain a leading axis: unknown to the rule, and right."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def step(
    carry: Float[Array, "4"], x: Float[Array, "4"]
) -> tuple[Float[Array, "4"], Float[Array, "4"]]:
    carry = carry + x
    return carry, carry * 2.0


def total(history: Float[Array, "5 4"]) -> Float[Array, "4"]:
    return jnp.sum(history, axis=0)


final, history = jax.lax.scan(step, jnp.zeros(4), jnp.ones((5, 4)))
print(total(history), final)
