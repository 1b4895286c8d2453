"""A stateful layer (running mean) updated with px.purecall inside jax.jit and scan."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class RunningMean(px.StateModule):
    mean: jax.Array = px.state(default_factory=lambda: jnp.zeros(2))

    def __call__(self, x):
        if self.training:
            self.mean = 0.9 * self.mean + 0.1 * x
        return x - self.mean


@jax.jit
def forward(norm: RunningMean, x):
    norm, y = px.purecall(norm, x)
    return norm, y


norm = RunningMean()
norm, y = forward(norm, jnp.ones(2))
norm, ys = jax.lax.scan(lambda n, x: px.purecall(n, x), norm, jnp.ones((3, 2)))
frozen = px.eval_mode(norm)
frozen(jnp.ones(2))
