"""Pure and transformed functions returning the module inside tuples, dicts and aux."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Tracked


@px.pure
def in_dict(c: Counter, x):
    y = c(x)
    return {"model": c, "out": y}


@px.pure
def nested(c: Counter, x):
    y = c(x)
    return (y, (c, [y]))


@px.pure
def sub_only(m: Tracked, x):
    y = m.counter(x)
    return {"state": {"m": m}, "y": y}


def loss(m: Tracked, x):
    y = m(x)
    return jnp.sum(y), {"model": m}


out = in_dict(Counter(), 1.0)
y, (c, _) = nested(out["model"], 2.0)
r = sub_only(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
g, aux = px.grad(px.pure(loss), has_aux=True)(r["state"]["m"], jnp.ones(2))
assert int(c.count) == 2 and int(aux["model"].counter.count) == 2
