"""The callee side: a user module with class-scoped names, and annotated functions."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn


class Encoder(px.Module):
    proj: nn.Linear
    scale: Float[Array, "dout"]

    def __init__(self, din: int, dout: int, *, key: PRNGKeyArray) -> None:
        self.proj = nn.Linear(din, dout, key=key)
        self.scale = jnp.ones(dout)

    def __call__(self, x: Float[Array, "*batch din"]) -> Float[Array, "*batch dout"]:
        return self.proj(x) * self.scale


def pool(x: Float[Array, "batch time 4"]) -> Float[Array, "batch 4"]:
    return jnp.mean(x, axis=1)


def pair_distance(a: Float[Array, "n d"], b: Float[Array, "n d"]) -> Float[Array, "n"]:
    return jnp.sqrt(jnp.sum((a - b) ** 2, axis=-1))


def make_encoder() -> Encoder:
    return Encoder(3, 8, key=jax.random.key(0))
