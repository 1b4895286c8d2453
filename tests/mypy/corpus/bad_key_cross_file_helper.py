"""A helper of another file (keys_helpers.py) consumes its key: calling it twice with one key is reuse."""

# runtime: silent
import jax
import jax.numpy as jnp

from keys_helpers import gaussian_noise

key = jax.random.key(0)
x = gaussian_noise(key, jnp.zeros(3))
y = gaussian_noise(key, jnp.zeros(3))  # E: purepax-key-reuse
print(x, y)
