"""A branch that returns after using the key: the later use is on another path."""

# runtime: ok
import jax
import jax.numpy as jnp


def draw(key: jax.Array, gaussian: bool) -> jax.Array:
    if gaussian:
        return jax.random.normal(key, ())
    return jax.random.uniform(key, ())


def checked(key: jax.Array, n: int) -> jax.Array:
    if n < 0:
        x = jax.random.normal(key, ())
        raise ValueError(f"negative {n}: {x}")
    return jax.random.uniform(key, ())


print(draw(jax.random.key(0), True), checked(jax.random.key(0), 1))
