"""Strict mode: the same names throughout, so nothing to report."""

# shapes: strict
import jax.numpy as jnp
from jaxtyping import Array, Float


def residual(x: Float[Array, "n"], update: Float[Array, "n"]) -> Float[Array, "n"]:
    return x + update


def apply(x: Float[Array, "b d"], w: Float[Array, "d h"]) -> Float[Array, "b h"]:
    return x @ w


print(residual(jnp.ones(3), jnp.ones(3)), apply(jnp.ones((2, 3)), jnp.ones((3, 5))))
