"""px.fori_loop over a body that draws from a captured key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px

key = jax.random.key(7)


def body(i: jax.Array, x: jax.Array) -> jax.Array:
    return x + jax.random.uniform(key, ())  # E: purepax-key-reuse


print(px.fori_loop(0, 3, body, jnp.array(0.0)))
