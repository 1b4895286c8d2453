"""One key per step with fold_in: the parent is never consumed."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px

key = jax.random.key(0)
for step in range(3):
    step_key = jax.random.fold_in(key, step)
    print(jax.random.normal(step_key, ()))


def body(i: jax.Array, x: jax.Array) -> jax.Array:
    return x + jax.random.normal(jax.random.fold_in(key, i), ())


print(jax.lax.fori_loop(0, 3, body, jnp.array(0.0)), px.fori_loop(0, 3, body, jnp.array(0.0)))
