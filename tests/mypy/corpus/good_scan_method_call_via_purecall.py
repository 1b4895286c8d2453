"""A model method with transitive mutation, run with px.purecall inside scan."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(m: Tracked, x):
    m, y = px.purecall(m, x * jnp.ones(2))
    return m, y


m, ys = jax.lax.scan(body, Tracked(key=jax.random.PRNGKey(0)), jnp.arange(3.0))
assert int(m.counter.count) == 3
