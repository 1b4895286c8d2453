"""A comprehension at top level resets modules."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counters = [Counter(), Counter()]
done = [c.reset() for c in counters]  # E: purepax-mutation
