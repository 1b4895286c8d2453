"""Two samplers in one expression given one key."""

# runtime: silent
import jax
import jax.numpy as jnp


key = jax.random.key(0)
z = jax.random.normal(key, (2,)) + jax.random.uniform(key, (2,))  # E: purepax-key-reuse
print(z)
