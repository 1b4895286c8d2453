"""The module taken from px.purecall by index is mutated."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def run(x):
    c = px.purecall(Counter(), x)[0]
    c.reset()  # E: purepax-mutation
    return c


run(1.0)
