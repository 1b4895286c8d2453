"""A loop at top level calls each counter."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counters = (Counter(), Counter())
for c in counters:
    c(1)  # E: purepax-mutation
