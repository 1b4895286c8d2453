"""Names imported from purepax (jit, scan): a scan body reads a module from the enclosing function."""

# runtime: ClosureCaptureError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice

from purepax import jit as pjit
from purepax import scan


def run(model: Linear, xs):
    def body(h, x):
        return model(h) + x, None  # E: purepax-closure

    return scan(body, jnp.zeros(2), xs)


run(Linear(2, 2, key=jax.random.PRNGKey(0)), jnp.ones((3, 2)))
