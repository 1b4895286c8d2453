"""The parent key used after it was split: its children repeat its numbers."""

# runtime: silent
import jax
import jax.numpy as jnp


def sample(key: jax.Array) -> jax.Array:
    k1, k2 = jax.random.split(key)
    a = jax.random.normal(k1, ())
    b = jax.random.normal(k2, ())
    c = jax.random.normal(key, ())  # E: purepax-key-reuse
    return a + b + c


print(sample(jax.random.key(0)))
