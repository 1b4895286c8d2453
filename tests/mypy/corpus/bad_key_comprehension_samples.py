"""A comprehension that samples with the same key for every item."""

# runtime: silent
import jax
import jax.numpy as jnp


key = jax.random.key(0)
noise = {name: jax.random.normal(key, (2,)) for name in ("a", "b")}  # E: purepax-key-reuse
print(noise)
