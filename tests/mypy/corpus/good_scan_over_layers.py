"""Scanning over stacked layers given as xs, and a module rebuilt by scan."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


key = jax.random.PRNGKey(0)
stacked = jax.vmap(lambda k: Linear(2, 2, key=k))(jax.random.split(key, 3))


def step(h, layer):
    return layer(h), None


h, _ = jax.lax.scan(step, jnp.ones(2), stacked)
h2, _ = jax.lax.scan(lambda h, layer: (layer(h), None), jnp.ones(2), stacked)
