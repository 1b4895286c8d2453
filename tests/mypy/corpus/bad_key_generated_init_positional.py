"""Two modules whose generated constructors take the same key positionally: one mask, twice."""

# runtime: silent
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

import purepax as px


class MaskedNoise(px.StateModule):
    key: PRNGKeyArray
    rate: float = px.static(default=0.5)

    def __call__(self, x: jax.Array) -> jax.Array:
        self.key, sub = jax.random.split(self.key)
        return jnp.where(jax.random.bernoulli(sub, self.rate, x.shape), x, 0.0)


key = jax.random.key(0)
first = MaskedNoise(key)
second = MaskedNoise(key)  # E: purepax-key-reuse
print(px.purecall(first, jnp.ones(3))[1], px.purecall(second, jnp.ones(3))[1])
