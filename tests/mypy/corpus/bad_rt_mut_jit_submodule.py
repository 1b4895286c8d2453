"""A jitted function calls a submodule of its argument that mutates."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@jax.jit
def step(m: Tracked, x):
    y = m.counter(x)  # E: purepax-mutation
    return m.linear(y)


step(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
