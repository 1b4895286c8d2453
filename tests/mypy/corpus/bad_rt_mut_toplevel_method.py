"""Top level: a mutating method in a loop over data."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


c = Counter()
for x in range(3):
    y = c(x)  # E: purepax-mutation
