"""A pure function mutates a submodule and returns the submodule, not the argument."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



@px.pure
def tick(m: Tracked, x):
    m.counter(x)
    return m.counter  # E: purepax-unreturned


tick(Tracked(key=jax.random.PRNGKey(0)), 1.0)
