"""cond/switch branches taking the module as an operand."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def double(m: Linear, x):
    return m(x) * 2


def same(m: Linear, x):
    return m(x)


model = Linear(2, 2, key=jax.random.PRNGKey(0))
a = jax.lax.cond(True, double, same, model, jnp.ones(2))
b = jax.lax.switch(1, [double, same], model, jnp.ones(2))
