"""`din` is class-scoped in the module only: a free function's `din` is one call's."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px


class Affine(px.Module):
    weight: Float[Array, "din dout"]

    def __init__(self, din: int, dout: int, *, key: PRNGKeyArray) -> None:
        self.weight = jax.random.normal(key, (din, dout))

    def __call__(self, x: Float[Array, "*batch din"]) -> Float[Array, "*batch dout"]:
        return x @ self.weight


def project(
    x: Float[Array, "b din"], w: Float[Array, "din dout"]
) -> Float[Array, "b dout"]:
    return x @ w


model = Affine(3, 2, key=jax.random.key(0))
print(model(jnp.ones((5, 3))).shape)
print(project(jnp.ones((5, 4)), jnp.ones((4, 2))).shape)
print(project(jnp.ones((5, 3)), model.weight).shape)
