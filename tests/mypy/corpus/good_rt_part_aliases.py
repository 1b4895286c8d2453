"""Aliases of submodules inside transformed functions, used only through px.purecall or read."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(m: Tracked, x):
    counter = m.counter
    linear = m.linear
    counter, y = px.purecall(counter, x)
    return px.replace(m, counter=counter), linear(y)


def body(carry, x):
    m = carry[0]
    sub = m.linear
    return carry, sub(jnp.ones(2) * x)


m, y = step(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
jax.lax.scan(body, (m, 0), jnp.arange(2.0))
assert int(m.counter.count) == 1
