"""A scan body unpacks its tuple carry and calls the (immutable) module in it."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def body(carry, x):
    c, total = carry
    y = c(x)  # E: purepax-mutation
    return (c, total + y), y


jax.lax.scan(body, (Counter(), 0.0), jnp.arange(3.0))
