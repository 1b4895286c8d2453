"""A key used under one flag and under its negation: never both on one run."""

# runtime: ok
import jax
import jax.numpy as jnp


def draw(key: jax.Array, gaussian: bool) -> jax.Array:
    out = jnp.array(0.0)
    if gaussian:
        out = jax.random.normal(key, ())
    if not gaussian:
        out = jax.random.uniform(key, ())
    return out


print(draw(jax.random.key(0), True))
