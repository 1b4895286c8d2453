"""A module's key field sampled at every step of a loop in one call: the same noise each step."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px


class Diffusion(px.Module):
    key: jax.Array
    steps: int = px.static(default=3)

    def sample(self, x: jax.Array) -> jax.Array:
        for _ in range(self.steps):
            x = 0.9 * x + 0.1 * jax.random.normal(self.key, x.shape)  # E: purepax-key-reuse
        return x


print(Diffusion(jax.random.key(0)).sample(jnp.zeros(2)))
