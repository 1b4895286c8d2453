"""Distinct elements of a split, and a new split of the fresh key."""

# runtime: ok
import jax
import jax.numpy as jnp


keys = jax.random.split(jax.random.key(0), 3)
w = jax.random.normal(keys[0], (2,))
b = jax.random.normal(keys[1], (2,))
key, sub = jax.random.split(keys[2])
c = jax.random.normal(sub, ())
key, sub = jax.random.split(key)
d = jax.random.normal(sub, ())
print(w, b, c, d)
