"""A lax.while_loop body (a lambda) capturing a key: the same step every iteration."""

# runtime: silent
import jax
import jax.numpy as jnp

from jax import lax, random

key = random.key(3)
out = lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] + random.normal(key, ())), (0, jnp.array(0.0)))  # E: purepax-key-reuse
print(out)
