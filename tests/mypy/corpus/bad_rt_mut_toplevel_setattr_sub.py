"""Top level: assignment to a submodule's field."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


t = Tracked(key=jax.random.PRNGKey(0))
t.counter.count = jnp.array(5)  # E: purepax-mutation
