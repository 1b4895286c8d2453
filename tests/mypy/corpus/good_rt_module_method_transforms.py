"""Inside a module's methods: scan over self's submodule as carry, checkpoint/vmap reading self, purecall on self.sub."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


class Block(px.Module):
    linear: Linear
    counter: Counter

    def __init__(self, *, key):
        self.linear = Linear(2, 2, key=key)
        self.counter = Counter()

    def __call__(self, xs):
        @jax.checkpoint
        def f(x):
            return jnp.tanh(self.linear(x))

        def body(c, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, _ = jax.lax.scan(body, self.counter, xs)
        ys = jax.vmap(self.linear)(xs)
        self.counter, _ = px.purecall(self.counter, ys)
        return jax.vmap(f)(ys)

    def reset_all(self):
        self.counter.reset()
        return self


b = Block(key=jax.random.PRNGKey(0))
b, ys = px.purecall(b, jnp.ones((3, 2)))
b, _ = px.purecall(b.reset_all)
assert int(b.counter.count) == 0
