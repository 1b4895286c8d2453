"""A module that keeps its key as a field draws a mask and noise from it, the same key twice."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px


class NoisyDropout(px.StateModule):
    key: jax.Array

    def __call__(self, x: jax.Array) -> jax.Array:
        keep = jax.random.bernoulli(self.key, 0.5, x.shape)
        x = jnp.where(keep, x * 2.0, 0.0)
        return x + jax.random.normal(self.key, x.shape)  # E: purepax-key-reuse


layer = NoisyDropout(jax.random.key(0))
print(px.purecall(layer, jnp.ones(3))[1])
