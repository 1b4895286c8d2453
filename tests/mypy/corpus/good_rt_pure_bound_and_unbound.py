"""px.pure of an unbound method (self is an argument) and purecall of bound methods, all returned."""

# runtime: ok
# needs-mypy: 2.4
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Acc(px.StateModule):
    total: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def add(self, x):
        self.total = self.total + x
        return self, x


a = Acc()
a, _ = px.pure(Acc.add)(a, 1.0)
a, _ = px.purecall(a.add, 2.0)
step = px.pure(lambda acc, x: acc.add(x))
a, _ = step(a, 3.0)
assert float(a.total) == 6.0
