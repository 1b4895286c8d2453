"""The captured module lives two scopes up."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def outer(x):
    model = Linear(2, 2, key=jax.random.PRNGKey(0))

    def middle(x):
        @jax.jit
        def inner(x):
            return model(x)  # E: purepax-closure

        return inner(x)

    return middle(x)


outer(jnp.ones(2))
