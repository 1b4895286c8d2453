"""fold_in derives a new key but leaves the parent as it was: the parent is still spent."""

# runtime: silent
import jax
import jax.numpy as jnp


key = jax.random.key(0)
a = jax.random.normal(key, ())
step_key = jax.random.fold_in(key, 1)
b = jax.random.normal(key, ())  # E: purepax-key-reuse
print(a, b, step_key)
