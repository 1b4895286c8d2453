"""Two dropout masks from one key are the same mask."""

# runtime: silent
import jax
import jax.numpy as jnp


def masks(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    m1 = jax.random.bernoulli(key, 0.5, (4,))
    m2 = jax.random.bernoulli(key, 0.5, (4,))  # E: purepax-key-reuse
    return m1, m2


print(masks(jax.random.key(0)))
