"""A pure function returns its argument through a method that returns self or a copy of it."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


class Acc(px.StateModule):
    total: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def add(self, x):
        self.total = self.total + x
        return self

    def halved(self):
        return px.replace(self, total=self.total / 2)

    def frozen(self):
        return px.eval_mode(self)


@px.pure
def add_twice(a: Acc, x):
    a.add(x)
    return a.add(x)


@px.pure
def add_half(a: Acc, x):
    a.add(x)
    return a.halved()


@px.pure
def add_frozen(a: Acc, x):
    a.add(x)
    out = a.frozen()
    return out


a = add_twice(Acc(), 1.0)
a = add_half(a, 2.0)
a = add_frozen(a, 1.0)
assert float(a.total) == 3.0
