"""px.pure(loss) under jax.grad(has_aux=True): the mutated model is not in the aux."""

# runtime: UnreturnedUpdateError
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


def loss_fn(model: Model, x):
    y = model(x)
    return jnp.sum(y), y  # E: purepax-unreturned


jax.grad(px.pure(loss_fn), has_aux=True)(Model(jnp.ones(2)), jnp.ones(2))
