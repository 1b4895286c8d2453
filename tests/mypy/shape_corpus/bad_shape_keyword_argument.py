"""Arguments by keyword: the target's width 3 against the prediction's 2."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def huber(pred: Float[Array, "b d"], target: Float[Array, "b d"]) -> Float[Array, ""]:
    err = jnp.abs(pred - target)
    return jnp.mean(jnp.where(err < 1.0, 0.5 * err**2, err - 0.5))


print(huber(target=jnp.ones((4, 3)), pred=jnp.zeros((4, 2))))  # expect: purepax-shape
