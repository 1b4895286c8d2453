"""A loop whose body always breaks runs once: its key is used once."""

# runtime: ok
import jax
import jax.numpy as jnp


key = jax.random.key(0)
for attempt in range(10):
    value = jax.random.uniform(key, ())
    break
print(value)
