"""A VAE's reparameterisation and decoder dropout from one key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
import purepax.nn as nn


def reparameterise(mean: jax.Array, logvar: jax.Array, key: jax.Array) -> jax.Array:
    eps = jax.random.normal(key, mean.shape)
    z = mean + jnp.exp(0.5 * logvar) * eps
    drop = nn.Dropout(0.1, key=key)  # E: purepax-key-reuse
    return px.purecall(drop, z)[1]


print(reparameterise(jnp.zeros(2), jnp.zeros(2), jax.random.key(0)))
