"""Samplers given the key by keyword: the second draw repeats the first."""

# runtime: silent
import jax
import jax.numpy as jnp

from jax import random

key = random.PRNGKey(5)
eps1 = random.normal(key=key, shape=(3,))
eps2 = random.normal(key=key, shape=(3,))  # E: purepax-key-reuse
print(eps1 - eps2)
