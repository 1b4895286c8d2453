"""Read-only stacks are called anywhere; a stack of mutating blocks through px.purecall."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Dense(px.Module):
    weight: Float[Array, "d d"]

    def __call__(self, x: Float[Array, " d"]) -> Float[Array, " d"]:
        return jnp.tanh(x @ self.weight)


class Noisy(px.StateModule):
    key: jax.Array

    def __call__(self, x: Float[Array, " d"]) -> Float[Array, " d"]:
        self.key, sub = jax.random.split(self.key)
        return x + 0.1 * jax.random.normal(sub, x.shape)


@jax.jit
def apply(stack: px.Stacked[Dense], x: Float[Array, " d"]) -> Float[Array, " d"]:
    return stack(x)


def body(stack: px.Stacked[Noisy], x: Float[Array, " d"]) -> tuple[px.Stacked[Noisy], Float[Array, " d"]]:
    stack, y = px.purecall(stack, x)
    return stack, y


dense = px.stack(lambda k: Dense(jax.random.normal(k, (4, 4))), jax.random.split(jax.random.PRNGKey(0), 3))
noisy = px.stack(lambda k: Noisy(k), jax.random.split(jax.random.PRNGKey(1), 3))
print(apply(dense, jnp.ones(4)).shape)
noisy, ys = jax.lax.scan(body, noisy, jnp.ones((2, 4)))
assert ys.shape == (2, 4)
