"""A plain Trainer class passes its model to the jitted step explicitly and reads static settings from self."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Trainer:
    def __init__(self, model: Tracked, lr: float):
        self.model = model
        self.lr = lr
        self.history: list[float] = []

    def fit(self, xs):
        lr = self.lr

        @jax.jit
        def step(m, x):
            m, y = px.purecall(m, x)
            return m, jnp.sum(y) * lr

        for x in xs:
            self.model, loss = step(self.model, x)
            self.history.append(float(loss))
        ys = jax.vmap(lambda x: self.model.linear(x))(xs)
        return ys


t = Trainer(Tracked(key=jax.random.PRNGKey(0)), 0.1)
t.fit(jnp.ones((2, 2)))
assert int(t.model.counter.count) == 2
