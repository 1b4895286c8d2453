"""A jitted function loops over a captured list of layers."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


layers = [Linear(2, 2, key=jax.random.PRNGKey(i)) for i in range(3)]


@jax.jit
def forward(x):
    for layer in layers:  # E: purepax-closure
        x = layer(x)
    return x


forward(jnp.ones(2))
