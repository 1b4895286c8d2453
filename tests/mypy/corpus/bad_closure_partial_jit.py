"""functools.partial binds a module into a jitted function."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def apply(m, x):
    return m(x)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
fast = jax.jit(functools.partial(apply, model))  # E: purepax-closure
fast(jnp.ones(2))
