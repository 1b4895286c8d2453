"""Centering without keepdims: the (3,) row means broadcast against the last axis of 4."""

import jax.numpy as jnp

x = jnp.ones((3, 4))
mean = jnp.mean(x, axis=-1)
centered = x - mean  # expect: purepax-shape
