"""Modules built inside jit and scan, then purecalled and returned."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


@jax.jit
def fresh(x):
    c = Counter()
    c, y = px.purecall(c, x)
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    return c, lin(jnp.ones(2)) * y


def body(carry, x):
    c = Counter()
    c, _ = px.purecall(c, x)
    return carry + c.count, x


c, out = fresh(1.0)
total, _ = jax.lax.scan(body, jnp.array(0), jnp.arange(3.0))
assert int(total) == 3
