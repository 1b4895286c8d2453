"""px.value_and_grad: the loss calls its (immutable) module argument."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Model(px.Module):
    w: jax.Array
    calls: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def __call__(self, x):
        self.calls = self.calls + 1.0
        return self.w * x


def loss(m: Model, x):
    return jnp.sum(m(x))  # E: purepax-mutation


px.value_and_grad(loss)(Model(jnp.ones(2)), jnp.ones(2))
