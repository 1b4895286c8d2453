"""A stack of blocks that change themselves (dropout keys), called in a scan body without purecall."""

# runtime: ImmutableModuleError
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Noisy(px.StateModule):
    key: jax.Array

    def __call__(self, x: Float[Array, " d"]) -> Float[Array, " d"]:
        self.key, sub = jax.random.split(self.key)
        return x + 0.1 * jax.random.normal(sub, x.shape)


def body(stack: px.Stacked[Noisy], x: Float[Array, " d"]) -> tuple[px.Stacked[Noisy], Float[Array, " d"]]:
    y = stack(x)  # E: purepax-mutation
    return stack, y


blocks = px.stack(lambda k: Noisy(k), jax.random.split(jax.random.PRNGKey(0), 3))
jax.lax.scan(body, blocks, jnp.ones((2, 4)))
