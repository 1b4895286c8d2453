"""`from purepax import ...` names and an alias of purepax."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as pp
from purepax import Module, StateModule, pure, purecall, replace, state
from corpus_defs import Counter


class Steps(StateModule):
    n: jax.Array = state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.n = self.n + 1
        return x


@pure
def twice(s: Steps, x):
    s(x)
    s(x)
    return s


def body(s, x):
    s, y = purecall(s, x)
    return s, y


s = twice(Steps(), 1.0)
s, ys = jax.lax.scan(body, s, jnp.arange(3.0))
s, _ = pp.purecall(s, 1.0)
s = replace(s, n=s.n * 2)
s2 = pp.pure(twice)(s, 1.0)
assert int(s.n) == 12
