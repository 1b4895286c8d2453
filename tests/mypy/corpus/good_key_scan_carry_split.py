"""lax.scan carrying its key and splitting it at every step (Equinox #987's fix)."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


def run(xs: jax.Array, key: jax.Array) -> jax.Array:
    def step(carry: tuple[jax.Array, jax.Array], x: jax.Array) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
        total, key = carry
        key, sub = jax.random.split(key)
        keep = jax.random.bernoulli(sub, 0.9, x.shape)
        return (total + jnp.sum(jnp.where(keep, x, 0.0)), key), x

    (total, _), _ = jax.lax.scan(step, (jnp.array(0.0), key), xs)
    return total


def per_step_keys(xs: jax.Array, key: jax.Array) -> jax.Array:
    keys = jax.random.split(key, xs.shape[0])

    def body(c: jax.Array, inputs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        x, k = inputs
        return c, x + jax.random.normal(k, x.shape)

    _, ys = px.scan(body, jnp.array(0.0), (xs, keys))
    return ys


print(run(jnp.ones((4, 3)), jax.random.key(0)), per_step_keys(jnp.zeros((3, 2)), jax.random.key(1)).shape)
