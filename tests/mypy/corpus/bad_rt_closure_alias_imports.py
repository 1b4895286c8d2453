"""Aliased imports (from jax import jit; import jax.lax as lax): closures over a module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice

import jax.lax as lax
from jax import jit

model = Linear(2, 2, key=jax.random.PRNGKey(0))


@jit
def predict(x):
    return model(x)  # E: purepax-closure


def run(xs):
    return lax.fori_loop(0, 2, lambda i, h: model(h), xs)  # E: purepax-closure


predict(jnp.ones(2))
run(jnp.ones(2))
