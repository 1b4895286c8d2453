"""Calling a model whose __call__ mutates a submodule (another file), at top level."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


tracked = Tracked(key=jax.random.PRNGKey(0))
y = tracked(jnp.ones(2))  # E: purepax-mutation
