"""Two names, n and m, that are equal at run time: not a shape-on report (strict only)."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def residual(x: Float[Array, "n"], update: Float[Array, "m"]) -> Float[Array, "n"]:
    return x + update


def chain(a: Float[Array, "b n"], w: Float[Array, "m k"]) -> Float[Array, "b k"]:
    return a @ w


print(residual(jnp.ones(3), jnp.ones(3)))
print(chain(jnp.ones((2, 3)), jnp.ones((3, 5))).shape)
