"""Helpers that consume their keys, each given its own subkey."""

# runtime: ok
import jax
import jax.numpy as jnp

from keys_helpers import gaussian_noise


def init_weight(key, shape):
    return jax.random.truncated_normal(key, -2.0, 2.0, shape)


key = jax.random.key(0)
k1, k2, k3 = jax.random.split(key, 3)
print(init_weight(k1, (2,)), init_weight(k2, (2,)), gaussian_noise(k3, jnp.zeros(2)))
