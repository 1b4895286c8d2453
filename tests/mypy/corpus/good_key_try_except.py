"""A key used in a try body and again in its handler: one of the two runs."""

# runtime: ok
import jax
import jax.numpy as jnp


def robust(key: jax.Array) -> jax.Array:
    try:
        return jax.random.normal(key, (2,))
    except ValueError:
        return jax.random.uniform(key, (2,))


print(robust(jax.random.key(0)))
