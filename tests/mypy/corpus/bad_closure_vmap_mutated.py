"""raw jax.vmap: a captured module that the function mutates."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
jax.vmap(lambda x: counter(x))(jnp.ones(3))  # E: purepax-closure
