"""Arguments by keyword, in any order, that agree; Linear built by keyword."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn


def huber(pred: Float[Array, "b d"], target: Float[Array, "b d"]) -> Float[Array, ""]:
    err = jnp.abs(pred - target)
    return jnp.mean(jnp.where(err < 1.0, 0.5 * err**2, err - 0.5))


layer = nn.Linear(in_features=3, out_features=2, key=jax.random.key(0))
print(huber(target=jnp.ones((4, 2)), pred=layer(x=jnp.zeros((4, 3)))))
