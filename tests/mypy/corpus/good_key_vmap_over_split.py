"""Keys split once and mapped over with vmap; a starred split keeps the parent fresh."""

# runtime: ok
import jax
import jax.numpy as jnp


key = jax.random.key(0)
key, *subkeys = jax.random.split(key, 4)
samples = jax.vmap(lambda k: jax.random.normal(k, ()))(jnp.stack(subkeys))
first = jax.random.normal(subkeys[0], ())
second = jax.random.normal(subkeys[1], ())
print(samples.shape, first, second, jax.random.normal(key, ()))
