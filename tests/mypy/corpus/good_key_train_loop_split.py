"""A training loop that splits a fresh key for every jitted step (the fix for Flax #4539)."""

# runtime: ok
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
    key, step_key = jax.random.split(key)
    print(step(jnp.ones(4), step_key))
