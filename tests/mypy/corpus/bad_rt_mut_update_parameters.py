"""A module made by px.update_parameters is called (mutating)."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def run(m: Tracked, x):
    m2 = px.update_parameters(m, px.parameters(m))
    return m2(x)  # E: purepax-mutation


run(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
