"""functools.partial binds a module into a scan body."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def body(m, h, x):
    return m(h) + x, None


jax.lax.scan(functools.partial(body, model), jnp.zeros(2), jnp.ones((3, 2)))  # E: purepax-closure
