"""px.scan over a body that samples from a captured key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px


def noise(xs: jax.Array, key: jax.Array) -> jax.Array:
    def body(c: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        return c, x + jax.random.normal(key, x.shape)  # E: purepax-key-reuse

    _, ys = px.scan(body, jnp.array(0.0), xs)
    return ys


print(noise(jnp.zeros((3, 2)), jax.random.key(0)))
