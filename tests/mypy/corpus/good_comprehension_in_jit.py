"""Comprehension variables inside a transformed function are its own, not captures."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@jax.jit
def forward(layers: tuple[Linear, ...], x):
    ys = [layer(x) for layer in layers]
    return sum(layer(x) for layer in layers) + ys[0]


key = jax.random.PRNGKey(0)
forward((Linear(2, 2, key=key), Linear(2, 2, key=jax.random.fold_in(key, 1))), jnp.ones(2))
