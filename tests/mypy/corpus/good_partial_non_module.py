"""functools.partial binding numbers, and read-only modules under raw vmap."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def scaled(scale, x):
    return x * scale


def apply(m: Linear, x):
    return m(x)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
jax.jit(functools.partial(scaled, 3.0))(1.0)
jax.vmap(functools.partial(apply, model))(jnp.ones((3, 2)))
