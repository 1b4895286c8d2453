"""A global tuple of modules read by a jitted function."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


key = jax.random.PRNGKey(0)
layers = (Linear(2, 2, key=key), Linear(2, 2, key=jax.random.fold_in(key, 1)))


@jax.jit
def forward(x):
    for layer in layers:  # E: purepax-closure
        x = layer(x)
    return x


forward(jnp.ones(2))
