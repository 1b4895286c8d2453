"""Reading modules built in the same function, or at top level."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(x):
    m = Linear(2, 2, key=jax.random.PRNGKey(0))
    c = Counter()
    return m(x) + c.peek()


model = Linear(2, 2, key=jax.random.PRNGKey(1))
y = model(jnp.ones(2)) + run(jnp.ones(2))
n = Counter().peek()
