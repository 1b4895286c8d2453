"""A mutating helper (transitively, another file) applied at top level."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
bump_twice(counter)  # E: purepax-mutation
