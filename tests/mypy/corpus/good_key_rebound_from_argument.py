"""A variable rebound to a new key between its two uses."""

# runtime: ok
import jax
import jax.numpy as jnp


def two(seed: int) -> tuple[jax.Array, jax.Array]:
    key = jax.random.key(seed)
    a = jax.random.normal(key, ())
    key = jax.random.key(seed + 1)
    b = jax.random.normal(key, ())
    return a, b


print(two(0))
