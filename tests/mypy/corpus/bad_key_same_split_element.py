"""One element of a split used twice."""

# runtime: silent
import jax
import jax.numpy as jnp


keys = jax.random.split(jax.random.key(0), 2)
w = jax.random.normal(keys[0], (2,))
b = jax.random.normal(keys[0], (2,))  # E: purepax-key-reuse
print(w, b, keys[1])
