"""raw jax.value_and_grad of a partial that binds a counter and mutates it."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def loss(c, x):
    c(x)
    return jnp.sum(x**2)


counter = Counter()
jax.value_and_grad(functools.partial(loss, counter))(jnp.ones(2))  # E: purepax-closure
