"""A module that advances its key field before each draw (the purepax Dropout pattern), and one whose other methods may advance it."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


class Noisy(px.StateModule):
    key: jax.Array

    def __call__(self, x: jax.Array) -> jax.Array:
        self.key, sub = jax.random.split(self.key)
        x = x + jax.random.normal(sub, x.shape)
        self.key, sub = jax.random.split(self.key)
        return x + jax.random.uniform(sub, x.shape)

    def advance(self) -> None:
        self.key = jax.random.split(self.key)[0]

    def twice(self, x: jax.Array) -> jax.Array:
        a = jax.random.normal(self.key, x.shape)
        self.advance()
        return a + jax.random.normal(self.key, x.shape)


class Prop(px.Module):
    seed: int = px.static(default=0)

    @property
    def key(self) -> jax.Array:
        return jax.random.key(self.seed)

    def draw(self) -> jax.Array:
        return jax.random.normal(self.key, ()) + jax.random.normal(self.key, ())


noisy = Noisy(jax.random.key(0))
noisy, y = px.purecall(noisy, jnp.ones(2))
noisy, z = px.purecall(noisy.twice, jnp.ones(2))
print(y, z, Prop().draw())
