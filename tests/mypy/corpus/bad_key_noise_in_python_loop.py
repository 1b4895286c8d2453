"""Noise sampled again in every iteration of a Python loop, from a key bound before it."""

# runtime: silent
import jax
import jax.numpy as jnp


def noisy_steps(x: jax.Array, key: jax.Array, steps: int) -> jax.Array:
    for _ in range(steps):
        x = x + 0.1 * jax.random.normal(key, x.shape)  # E: purepax-key-reuse
    return x


print(noisy_steps(jnp.zeros(3), jax.random.key(0), 3))
