"""A method decorated with jax.jit mutates self (jit rebuilds self immutable)."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Clock(px.StateModule):
    ticks: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    @jax.jit
    def __call__(self, x):
        self.ticks = self.ticks + 1  # E: purepax-mutation
        return x


px.purecall(Clock(), 1.0)
