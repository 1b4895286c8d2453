"""Helpers that only inspect, store or fold a key: calling them twice consumes nothing."""

# runtime: ok
import jax
import jax.numpy as jnp


def describe(key: jax.Array) -> str:
    return f"key of shape {key.shape}"


def child(key: jax.Array, i: int) -> jax.Array:
    return jax.random.fold_in(key, i)


key = jax.random.key(0)
print(describe(key), describe(key))
a = jax.random.normal(child(key, 0), ())
b = jax.random.normal(child(key, 1), ())
print(a, b)
