"""A px.jit nested function in a method reads self."""

# runtime: ClosureCaptureError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Net(px.Module):
    linear: Linear

    def __call__(self, x):
        @px.jit
        def inner(x):
            return self.linear(x)  # E: purepax-closure

        return inner(x)


Net(Linear(2, 2, key=jax.random.PRNGKey(0)))(jnp.ones(2))
