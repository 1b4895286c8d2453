"""lax.scan / fori_loop / while_loop bodies that update their carry with px.purecall (aliased imports)."""

# runtime: ok
import jax
import jax.lax as lax
import jax.numpy as jnp
from jax import jit
from jax import lax as L

import purepax as px
from corpus_defs import Counter, Tracked


def body(carry, x):
    model, total = carry
    model, y = px.purecall(model, x)
    return (model, total + jnp.sum(y)), y


def fori_body(i, c):
    c, _ = px.purecall(c, i)
    return c


def while_body(state):
    c, n = state
    c, _ = px.purecall(c, n)
    return c, n + 1


@jit
def run(model, xs):
    (model, total), ys = lax.scan(body, (model, 0.0), xs)
    return model, total


m, total = run(Tracked(key=jax.random.PRNGKey(0)), jnp.ones((3, 2)))
c = L.fori_loop(0, 3, fori_body, Counter())
c, n = L.while_loop(lambda s: s[1] < 3, while_body, (c, 0))
c, ys = lax.scan(lambda c, x: px.purecall(c, x), c, jnp.arange(2.0))
assert int(m.counter.count) == 3 and int(c.count) == 8
