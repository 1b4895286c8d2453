"""A module whose own layers do not meet: up gives 8 features, down expects 16."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn


class Bottleneck(px.Module):
    up: nn.Linear
    down: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.up = nn.Linear(4, 8, key=k1)
        self.down = nn.Linear(16, 2, key=k2)

    def __call__(self, x: Float[Array, "*batch 4"]) -> Float[Array, "*batch 2"]:
        h = jax.nn.relu(self.up(x))
        return self.down(h)  # expect: purepax-shape


block = Bottleneck(key=jax.random.key(0))
print(block(jnp.ones((2, 4))))
