"""Methods decorated with jax.jit / px.jit / partial(jax.jit, static_argnums=...), updating through purecall."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


class Model(px.Module):
    linear: Linear
    counter: Counter
    scale: float = px.static(default=2.0)

    def __init__(self, *, key):
        self.linear = Linear(2, 2, key=key)
        self.counter = Counter()

    @jax.jit
    def predict(self, x):
        return self.linear(x) * self.scale

    @px.jit
    def step(self, x):
        counter, y = px.purecall(self.counter, x)
        return px.replace(self, counter=counter), self.linear(y)

    @functools.partial(jax.jit, static_argnums=2)
    def power(self, x, n):
        for _ in range(n):
            x = self.linear(x)
        return x

    @functools.partial(jax.jit, static_argnames=("flag",))
    def maybe(self, x, flag=False):
        return self.linear(x) if flag else x


m = Model(key=jax.random.PRNGKey(0))
m.predict(jnp.ones(2))
m, y = m.step(jnp.ones(2))
m.power(jnp.ones(2), 3)
m.maybe(jnp.ones(2), flag=True)
assert int(m.counter.count) == 1
