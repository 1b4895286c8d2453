"""px.pure of a lambda that calls its counter and returns only the output."""

# runtime: UnreturnedUpdateError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


px.pure(lambda c, x: c(x))(Counter(), 1.0)  # E: purepax-unreturned
