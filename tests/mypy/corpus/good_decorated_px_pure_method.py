"""A @px.pure method that returns self with its output."""

# runtime: ok
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
        return self, x


clock, y = Clock().tick(1.0)
assert int(clock.ticks) == 1
