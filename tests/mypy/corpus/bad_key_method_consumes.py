"""A module method that samples from its key argument, called twice with the same key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px


class Policy(px.Module):
    logits: jax.Array

    def act(self, key: jax.Array) -> jax.Array:
        return jax.random.categorical(key, self.logits)


policy = Policy(jnp.zeros(4))
key = jax.random.key(0)
a = policy.act(key)
b = policy.act(key)  # E: purepax-key-reuse
print(a, b)
