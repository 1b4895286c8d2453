"""A hand-written __init__ draws a weight and a bias from the same key."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px


class Affine(px.Module):
    w: jax.Array
    b: jax.Array

    def __init__(self, n: int, *, key: jax.Array) -> None:
        self.w = jax.random.normal(key, (n, n))
        self.b = jax.random.normal(key, (n,))  # E: purepax-key-reuse


print(Affine(2, key=jax.random.key(0)).b)
