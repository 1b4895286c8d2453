"""Unannotated helpers that build or return modules; their results are purecalled, never mutated directly."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def make_counter():
    return Counter()


def make_pair(key):
    return Tracked(key=key), Counter()


@px.pure
def tick(c, x):
    c(x)
    return c


def fresh_tick(c, x):
    c, y = px.purecall(c, x)
    return c, y


def run():
    c = make_counter()
    c, _ = px.purecall(c, 1.0)
    m, d = make_pair(jax.random.PRNGKey(0))
    m, y = px.purecall(m, jnp.ones(2))
    d = tick(d, 1.0)
    d = tick(d, 2.0)
    d, y = fresh_tick(d, 1.0)
    return c.peek() + d.peek() + m.counter.count


c = make_counter()
c = tick(c, 1.0)
c, _ = fresh_tick(c, 1.0)
print(c.peek(), run())
assert int(run()) == 5
