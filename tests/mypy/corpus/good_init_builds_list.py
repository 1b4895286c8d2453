"""__init__ building a list of layers step by step."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class MLP(px.Module):
    layers: tuple

    def __init__(self, sizes, *, key):
        layers = []
        for i, o in zip(sizes[:-1], sizes[1:]):
            key, sub = jax.random.split(key)
            layers.append(Linear(i, o, key=sub))
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = jax.nn.relu(layer(x))
        return x


mlp = MLP([2, 3, 2], key=jax.random.PRNGKey(0))
jax.jit(lambda m, x: m(x))(mlp, jnp.ones(2))
