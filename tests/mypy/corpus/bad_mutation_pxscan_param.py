"""px.scan hands its body an immutable carry too."""

# runtime: ImmutableModuleError
# needs: px.scan
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


def body(c: Counter, x):
    c.count = c.count + x  # E: purepax-mutation
    return c, x


px.scan(body, Counter(), jnp.arange(3))
