"""px.pure function mutating a submodule of its argument."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def forward(m: Tracked, x):
    m.counter(x)
    return m.linear(x)  # E: purepax-unreturned


forward(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
