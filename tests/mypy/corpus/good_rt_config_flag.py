"""A module mutates only when a global configuration flag is on; it is off, so calls under jit and at top level change nothing."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


TRACK_CALLS = False


class Probe(px.StateModule):
    calls: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        if TRACK_CALLS:
            self.calls = self.calls + 1
        return x * 2

    def log(self, x):
        while TRACK_CALLS:
            self.calls = self.calls + 1
        return x


@jax.jit
def forward(p: Probe, x):
    return p(x) + p.log(x)


p = Probe()
forward(p, jnp.ones(2))
print(p(jnp.ones(2)), p.log(1.0))
