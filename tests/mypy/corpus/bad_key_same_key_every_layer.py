"""Equinox #1083: the same key handed to every layer of a list draws identical weights."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax.nn as nn


def build(key: jax.Array) -> list[nn.Linear]:
    return [nn.Linear(4, 4, key=key) for _ in range(3)]  # E: purepax-key-reuse


print(len(build(jax.random.key(0))))
