"""Noise drawn under a flag, then the same key given to dropout: with the flag on, both share a key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
import purepax.nn as nn


def forward(x: jax.Array, key: jax.Array, noisy: bool) -> jax.Array:
    if noisy:
        x = x + jax.random.normal(key, x.shape)
    drop = nn.Dropout(0.5, key=key)  # E: purepax-key-reuse
    return px.purecall(drop, x)[1]


print(forward(jnp.ones(4), jax.random.key(0), True))
