"""The fix for the same key in every layer: one subkey per layer."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax.nn as nn


def build(key: jax.Array) -> list[nn.Linear]:
    keys = jax.random.split(key, 3)
    return [nn.Linear(4, 4, key=k) for k in keys]


def build_pairs(key: jax.Array) -> tuple[nn.Linear, nn.Linear]:
    k1, k2 = jax.random.split(key)
    return nn.Linear(2, 2, key=k1), nn.Linear(2, 2, key=k2)


print(len(build(jax.random.key(0))), build_pairs(jax.random.key(1))[0].weight.shape)
