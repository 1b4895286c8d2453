"""A function whose parameter is annotated PRNGKeyArray consumes the key: two calls, one key."""

# runtime: silent
import jax
import jax.numpy as jnp

from jaxtyping import PRNGKeyArray


def reset(state: jax.Array, key: PRNGKeyArray) -> jax.Array:
    return state * 0.0


key = jax.random.key(0)
s1 = reset(jnp.ones(2), key)
s2 = reset(jnp.ones(2), key)  # E: purepax-key-reuse
print(s1, s2)
