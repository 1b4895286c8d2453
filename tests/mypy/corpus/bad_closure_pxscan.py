"""px.scan over a body that reads a captured module."""

# runtime: ClosureCaptureError
# needs: px.scan
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(xs):
    model = Linear(1, 1, key=jax.random.PRNGKey(0))

    def body(carry, x):
        return carry, model(x[None])  # E: purepax-closure

    return px.scan(body, 0.0, xs)


run(jnp.arange(3.0))
