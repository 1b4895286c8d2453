"""Exploration noise and an action choice drawn from one key."""

# runtime: silent
import jax
import jax.numpy as jnp

import jax.random as jr


def explore(q: jax.Array, key: jax.Array) -> jax.Array:
    noise = jr.gumbel(key, q.shape)
    return jr.choice(key, q.shape[0], p=jax.nn.softmax(q + noise))  # E: purepax-key-reuse


print(explore(jnp.zeros(3), jr.key(0)))
