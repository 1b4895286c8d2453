"""A module whose layers are built in __init__ from its int parameters."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn


class Residual(px.Module):
    norm: nn.LayerNorm
    up: nn.Linear
    down: nn.Linear

    def __init__(self, dim: int, hidden: int, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.norm = nn.LayerNorm(dim)
        self.up = nn.Linear(dim, hidden, key=k1)
        self.down = nn.Linear(hidden, dim, key=k2)

    def __call__(self, x: Float[Array, "*batch dim"]) -> Float[Array, "*batch dim"]:
        return x + self.down(jax.nn.gelu(self.up(self.norm(x))))


block = Residual(4, 16, key=jax.random.key(0))
assert block(jnp.ones((2, 3, 4))).shape == (2, 3, 4)
