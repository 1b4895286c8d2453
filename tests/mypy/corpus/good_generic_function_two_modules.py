"""Generic unannotated functions given to transforms and called with modules of two
classes (a counter and a linear layer), or with a module of unknown type: no parameter is
typed by one call alone, so the linear layer is never taken for a counter."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


@jax.jit
def step(m, x):
    m, y = px.purecall(m, x)
    return m, y


def apply(m, x):
    return m, m(x)


def body(m, x):
    m, y = px.purecall(m, x)
    return m, y


def load(kind):
    return Counter() if kind == "counter" else Linear(2, 2, key=jax.random.PRNGKey(0))


x = jnp.ones(2)
c, _ = step(Counter(), x)
lin, _ = step(Linear(2, 2, key=jax.random.PRNGKey(0)), x)
out = lin(x)

c2, _ = jax.jit(px.pure(apply))(Counter(), 1.0)
lin2, _ = jax.jit(px.pure(apply))(load("linear"), x)
out = lin2(x)

c3, ys = jax.lax.scan(body, Counter(), jnp.ones((3, 2)))
lin3, ys = jax.lax.scan(body, Linear(2, 2, key=jax.random.PRNGKey(1)), jnp.ones((3, 2)))
out = lin3(x)
assert int(c.count) == 1 and int(c3.count) == 3
