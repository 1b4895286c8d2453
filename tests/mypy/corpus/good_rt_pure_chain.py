"""Modules returned by pure functions and purecall are passed on to other pure calls, never mutated directly."""

# runtime: ok
# needs-mypy: 2.4
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, bump


@px.pure
def tick(c: Counter):
    bump(c)
    return c


def train(n):
    c = Counter()
    for _ in range(n):
        c = tick(c)
    c = px.pure(tick)(c)
    c, _ = px.purecall(c, 1.0)
    c = px.replace(c, count=c.count + 1)
    c = px.eval_mode(c)
    c = px.pure(lambda m: (bump(m), m)[1])(c)
    return c.peek()


@px.pure
def build_and_tick():
    c = Counter()
    c, _ = px.purecall(c, 1.0)
    c = tick(c)
    return c


assert int(train(2)) == 6
assert int(build_and_tick().count) == 2
