"""A helper that draws only when training: two calls with one key cannot be proven to reuse it."""

# runtime: ok
import jax
import jax.numpy as jnp


def maybe_noise(x: jax.Array, key: jax.Array, train: bool) -> jax.Array:
    if train:
        return x + jax.random.normal(key, x.shape)
    return x


key = jax.random.key(0)
y = maybe_noise(jnp.zeros(2), key, False)
z = maybe_noise(jnp.zeros(2), key, False)
print(y, z)
