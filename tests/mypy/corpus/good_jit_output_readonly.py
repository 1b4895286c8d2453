"""Reading a module a transform returned."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))


def run(x):
    m2 = jax.jit(lambda m: m)(model)
    c, _ = jax.lax.scan(lambda c, x: (c, x), Counter(), jnp.arange(2))
    return m2(x) + c.peek()


run(jnp.ones(2))
