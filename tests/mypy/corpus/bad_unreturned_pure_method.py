"""A @px.pure method that mutates self and does not return it."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Clock(px.StateModule):
    ticks: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    @px.pure
    def tick(self, x):
        self.ticks = self.ticks + 1
        return x  # E: purepax-unreturned


Clock().tick(1.0)
