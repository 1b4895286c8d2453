"""A method decorated with px.jit."""

# runtime: ok
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Affine(px.Module):
    weight: jax.Array
    bias: jax.Array

    @px.jit
    def __call__(self, x):
        return x @ self.weight + self.bias


Affine(jnp.ones((2, 2)), jnp.zeros(2))(jnp.ones(2))
