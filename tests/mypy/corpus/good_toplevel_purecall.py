"""At top level, updates go through px.purecall / px.pure."""

# runtime: ok
# needs-mypy: 2.4
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def tick(c: Counter, x):
    return c, c(x)


counter = Counter()
counter, y = px.purecall(counter, 1.0)
counter, y = tick(counter, 2.0)
counter, _ = px.purecall(counter.reset)
