"""px.purecall on bound methods; the returned module used afterwards (read-only or purecalled again)."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


def step(c: Counter, x):
    c, _ = px.purecall(c.reset)
    c, y = px.purecall(c, x)
    c, y = px.purecall(c, y)
    value = c.peek()
    return c, value


@jax.jit
def jitted(c, x):
    new_c, y = px.purecall(c, x)
    return new_c, y


c, v = step(Counter(), 1.0)
c2, y = jitted(c, 2.0)
c3, _ = px.purecall(c2, 1.0)
print(c3.peek(), c2.count)
assert int(c3.count) == 4
