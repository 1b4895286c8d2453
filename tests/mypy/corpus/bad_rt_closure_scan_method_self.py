"""A scan body nested in a method reads self (a captured module)."""

# runtime: silent
# needs-mypy: 2.4
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class RNN(px.Module):
    cell: Linear

    def __call__(self, xs):
        def body(h, x):
            h = jnp.tanh(self.cell(h) + x)  # E: purepax-closure
            return h, h

        _, hs = jax.lax.scan(body, jnp.zeros(2), xs)
        return hs


RNN(Linear(2, 2, key=jax.random.PRNGKey(0)))(jnp.ones((3, 2)))
