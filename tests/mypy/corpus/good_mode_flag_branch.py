"""A module that mutates only when a flag of its own says so, used with the flag off."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Gate(px.StateModule):
    hits: jax.Array = px.state(default_factory=lambda: jnp.array(0))
    record: bool = px.static(default=False)

    def __call__(self, x):
        if self.record:
            self.hits = self.hits + 1
        return x


gate = Gate()
gate(1.0)
jax.jit(lambda g, x: g(x))(gate, 1.0)
