"""A fori_loop body samples from the key of the enclosing function at every step."""

# runtime: silent
import jax
import jax.numpy as jnp


def walk(key: jax.Array) -> jax.Array:
    def body(i: jax.Array, x: jax.Array) -> jax.Array:
        return x + jax.random.normal(key, ())  # E: purepax-key-reuse

    return jax.lax.fori_loop(0, 5, body, jnp.array(0.0))


print(walk(jax.random.key(1)))
