"""vmap maps a per-example function over a batch axis: its result is unknown, silent."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def norm(v: Float[Array, "d"]) -> Float[Array, ""]:
    return jnp.sqrt(jnp.sum(v**2))


def project(v: Float[Array, "4"]) -> Float[Array, "4"]:
    return v / norm(v)


batch = jnp.ones((3, 4))
norms = jax.vmap(norm)(batch)
unit = jax.vmap(project)(batch)
assert norms.shape == (3,) and unit.shape == (3, 4)
