"""A method scanning a cell passed as the carry (explicitly), not captured."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class RNN(px.Module):
    cell: Linear

    def __init__(self, *, key):
        self.cell = Linear(2, 2, key=key)

    def __call__(self, xs):
        def step(carry, x):
            cell, h = carry
            h = jnp.tanh(cell(h) + x)
            return (cell, h), h

        (_, h), hs = jax.lax.scan(step, (self.cell, jnp.zeros(2)), xs)
        return hs


RNN(key=jax.random.PRNGKey(0))(jnp.ones((4, 2)))
