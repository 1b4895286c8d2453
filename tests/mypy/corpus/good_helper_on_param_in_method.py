"""A method that mutates a module parameter, called on a view inside pure."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Resetter(px.Module):
    def wipe(self, c: Counter):
        c.reset()
        return c


@px.pure
def run(r: Resetter, c: Counter):
    r.wipe(c)
    return r, c


run(Resetter(), Counter())
