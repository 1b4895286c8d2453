"""@px.jit(static_argnames=...) on a function taking its module."""

# runtime: ok
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.jit(static_argnames="n")
def repeat(m: Linear, x, n: int):
    for _ in range(n):
        x = m(x)
    return x


repeat(Linear(2, 2, key=jax.random.PRNGKey(0)), jnp.ones(2), n=2)
