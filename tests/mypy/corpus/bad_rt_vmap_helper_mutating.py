"""raw jax.vmap of a lambda that mutates a captured module through a helper."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
jax.vmap(lambda x: bump(counter) + x)(jnp.ones(3))  # E: purepax-closure
