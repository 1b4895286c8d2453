"""px.grad hands the loss an immutable model too: calling a counting model fails."""

# runtime: ImmutableModuleError
# needs: px.grad
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Model(px.Module):
    linear: Linear
    calls: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def __call__(self, x):
        self.calls = self.calls + 1.0
        return self.linear(x)


def loss(m: Model, x):
    return jnp.sum(m(x))  # E: purepax-mutation


px.grad(loss)(Model(Linear(2, 2, key=jax.random.PRNGKey(0))), jnp.ones(2))
