"""Flax #4539: a jitted step given the same key at every step: dropout yields a constant mask."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from jaxtyping import PRNGKeyArray


@px.jit
def step(x: jax.Array, key: PRNGKeyArray) -> jax.Array:
    keep = jax.random.bernoulli(key, 0.5, x.shape)
    return jnp.where(keep, x, 0.0)


key = jax.random.key(0)
for i in range(3):
    print(step(jnp.ones(4), key))  # E: purepax-key-reuse
