"""eval_mode does not stop a module that always mutates."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def run():
    c = px.eval_mode(Counter())
    c(1)  # E: purepax-mutation
    return c


run()
