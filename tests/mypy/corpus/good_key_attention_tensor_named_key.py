"""An attention 'key' tensor passed as key= twice is no PRNG key."""

# runtime: ok
import jax
import jax.numpy as jnp


def attend(query: jax.Array, key: jax.Array, value: jax.Array) -> jax.Array:
    scores = jax.nn.softmax(query @ key.T)
    return scores @ value


q = k = v = jnp.eye(2)
first = attend(q, key=k, value=v)
second = attend(q, key=k, value=v)
keys = jnp.ones((2, 2))
print(attend(q, key=keys, value=v), attend(q, key=keys, value=v), first, second)
