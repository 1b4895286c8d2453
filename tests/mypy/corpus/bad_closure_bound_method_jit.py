"""A bound method of a module given to jax.jit captures the module."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
peek = jax.jit(counter.peek)  # E: purepax-closure
peek()
