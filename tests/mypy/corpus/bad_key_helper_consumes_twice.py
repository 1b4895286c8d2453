"""A helper that draws from its key parameter, called twice with the same key."""

# runtime: silent
import jax
import jax.numpy as jnp


def init_weight(key, shape):
    return jax.random.truncated_normal(key, -2.0, 2.0, shape)


def init_pair(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    w1 = init_weight(key, (3, 3))
    w2 = init_weight(key, (3, 3))  # E: purepax-key-reuse
    return w1, w2


print(init_pair(jax.random.key(0))[1])
