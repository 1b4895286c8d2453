"""Unannotated seed-style code: a jitted step nested in train() reads train's model parameter."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def train(model, xs):
    @jax.jit
    def step(x):
        return model(x)  # E: purepax-closure

    return [step(x) for x in xs]


def evaluate(model, xs):
    def body(h, x):
        return h + model(x), None  # E: purepax-closure

    return jax.lax.scan(body, jnp.zeros(2), xs)


net = Linear(2, 2, key=jax.random.PRNGKey(0))
train(net, jnp.ones((2, 2)))
evaluate(net, jnp.ones((2, 2)))
