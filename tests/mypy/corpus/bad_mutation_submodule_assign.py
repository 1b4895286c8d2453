"""A scan body sets a field of its carry's submodule."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(m: Tracked, x):
    m.counter.count = m.counter.count + 1  # E: purepax-mutation
    return m, x


jax.lax.scan(body, Tracked(key=jax.random.PRNGKey(0)), jnp.arange(3))
