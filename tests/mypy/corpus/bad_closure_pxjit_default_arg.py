"""px.jit refuses a module captured as a default argument."""

# runtime: ClosureCaptureError
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(x):
    model = Linear(2, 2, key=jax.random.PRNGKey(0))

    def predict(x, m=model):  # E: purepax-closure
        return m(x)

    return px.jit(predict)(x)


run(jnp.ones(2))
