"""Unannotated outer functions pass their module to nested transforms explicitly; read-only captures under raw vmap/grad."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def train(model, xs):
    @jax.jit
    def step(m, x):
        m, y = px.purecall(m, x)
        return m, y

    for x in xs:
        model, y = step(model, x)
    return model


def evaluate(model, xs):
    per_example = jax.vmap(lambda x: model(x))(xs)
    slope = jax.grad(lambda x: jnp.sum(model(x)))(xs[0])
    return per_example, slope


def describe(thing):
    return jax.jit(lambda x: x * 2)(jnp.ones(2)), str(thing)


m = train(Tracked(key=jax.random.PRNGKey(0)), jnp.ones((2, 2)))
evaluate(m.linear, jnp.ones((3, 2)))
describe(m)
describe(3)
assert int(m.counter.count) == 2
