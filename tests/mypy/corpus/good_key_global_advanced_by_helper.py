"""A global key advanced by a helper declared `global`: the plugin cannot follow it and stays silent."""

# runtime: ok
import jax
import jax.numpy as jnp


key = jax.random.key(0)


def next_key() -> jax.Array:
    global key
    key, sub = jax.random.split(key)
    return sub


a = jax.random.normal(key, ())
next_key()
b = jax.random.normal(key, ())
print(a, b)
