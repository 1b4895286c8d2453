"""A while loop drawing a uniform from a key it never advances (rejection sampling that never ends differently)."""

# runtime: silent
import jax
import jax.numpy as jnp


def first_above(threshold: float) -> float:
    key = jax.random.PRNGKey(0)
    tries = 0
    value = 0.0
    while tries < 3:
        value = float(jax.random.uniform(key, ()))  # E: purepax-key-reuse
        tries += 1
    return value


print(first_above(0.5))
