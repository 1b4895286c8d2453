"""Equinox #987: dropout inside lax.scan with a captured key gives the same mask at every step."""

# runtime: silent
import jax
import jax.numpy as jnp


def run(xs: jax.Array, key: jax.Array) -> jax.Array:
    def step(carry: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        keep = jax.random.bernoulli(key, 0.9, x.shape)  # E: purepax-key-reuse
        return carry + jnp.sum(jnp.where(keep, x, 0.0)), x

    total, _ = jax.lax.scan(step, jnp.array(0.0), xs)
    return total


print(run(jnp.ones((4, 3)), jax.random.key(0)))
