"""A module method promises 2 outputs; its projection, built from literals, gives 3."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn


class Classifier(px.Module):
    proj: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        self.proj = nn.Linear(4, 3, key=key)

    def __call__(self, x: Float[Array, "b 4"]) -> Float[Array, "b 2"]:
        return self.proj(x)  # expect: purepax-shape


model = Classifier(key=jax.random.key(0))
print(model(jnp.ones((2, 4))))
