"""A loop that splits its key at every iteration."""

# runtime: ok
import jax
import jax.numpy as jnp


def noisy_steps(x: jax.Array, key: jax.Array, steps: int) -> jax.Array:
    for _ in range(steps):
        key, sub = jax.random.split(key)
        x = x + 0.1 * jax.random.normal(sub, x.shape)
    return x


key = jax.random.key(0)
while key is not None:
    key, sub = jax.random.split(key)
    print(jax.random.uniform(sub, ()))
    break
print(noisy_steps(jnp.zeros(3), jax.random.key(0), 3))
