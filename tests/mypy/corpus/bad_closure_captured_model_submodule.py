"""A vmapped function captures the model and calls its counter: the error names the
captured "model" (what the user wrote), then the submodule it mutates."""

# runtime: ImmutableModuleError
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Tracked


class Trainer:
    def __init__(self, model: Tracked):
        self.model = model

    def run(self, xs):
        return jax.jit(lambda x: self.model(x))(xs)  # E: purepax-closure


model = Tracked(key=jax.random.PRNGKey(0))
jax.vmap(lambda x: model.counter(x))(jnp.ones((3, 2)))  # E: purepax-closure
