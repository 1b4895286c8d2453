"""A copy made by px.train_mode is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run(t: Tracked):
    t = px.train_mode(t)
    return t(jnp.ones(2))  # E: purepax-mutation


run(Tracked(key=jax.random.PRNGKey(0)))
