"""Modules with static configuration and callables; class references everywhere."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Act(px.Module):
    fn: object = px.static(default=jax.nn.relu)
    width: int = 2

    def __call__(self, x):
        return self.fn(x) * self.width


act = Act()
y = jax.jit(lambda x: x * 2)(act(jnp.ones(2)))
factory = jax.jit(lambda key: Linear(2, 2, key=key).weight)
factory(jax.random.PRNGKey(0))
