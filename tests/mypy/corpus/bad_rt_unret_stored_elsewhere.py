"""px.pure functions that store their updated argument into a global list or a list the
caller passed, never into their output: the update is lost."""

# runtime: UnreturnedUpdateError
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter

LOG: list = []


@px.pure
def logged(c: Counter, x: jnp.ndarray):
    y = c(x)
    LOG.append(c)
    return y + x  # E: purepax-unreturned


@px.pure
def into_sink(c: Counter, x, sink: list):
    y = c(x)
    sink.append(c)
    return y  # E: purepax-unreturned


logged(Counter(), jnp.ones(()))
