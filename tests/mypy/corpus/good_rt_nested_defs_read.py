"""Nested defs inside transformed functions that only read their enclosing function's modules."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


@jax.jit
def outer(model: Linear, c: Counter, xs):
    def apply(x):
        return model(x) + c.peek()

    def body(carry, x):
        return carry + jnp.sum(apply(x)), None

    total, _ = jax.lax.scan(lambda carry, x: (carry + 1.0, None), 0.0, xs)
    ys = jax.vmap(apply)(xs)
    return ys, total


def train(model, xs):
    def predict(x):
        return model(x)

    return jax.vmap(predict)(xs)


outer(Linear(2, 2, key=jax.random.PRNGKey(0)), Counter(), jnp.ones((3, 2)))
train(Linear(2, 2, key=jax.random.PRNGKey(0)), jnp.ones((3, 2)))
