"""raw jax.vmap over a module whose __call__ mutates it."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
jax.vmap(counter)(jnp.ones(3))  # E: purepax-closure
