"""A module with array fields named like keys that are not PRNG keys (a KV cache), built
twice from the same arrays, and PRNG-keyed modules built from distinct keys."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

import purepax as px


class KVCache(px.StateModule):
    key: jax.Array
    value: jax.Array


class Noise(px.Module):
    key: PRNGKeyArray


def caches(key: jax.Array, value: jax.Array) -> tuple[KVCache, KVCache]:
    return KVCache(key, value), KVCache(key, value)


k1, k2 = jax.random.split(jax.random.key(0))
a, b = Noise(k1), Noise(k2)
print(len(caches(jnp.zeros((2, 4)), jnp.zeros((2, 4)))), a.key.shape, b.key.shape)
