"""What a px.pure function returns is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


@px.pure
def step(c: Counter) -> Counter:
    c(1)
    return c


def run():
    after = step(Counter())
    after(2)  # E: purepax-mutation
    return after


run()
