"""Tuple and dict carries: the modules unpacked from them are updated with px.purecall and returned."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def body(carry, x):
    c, m, total = carry
    c, _ = px.purecall(c, x)
    m, y = px.purecall(m, jnp.ones(2) * x)
    return (c, m, total + jnp.sum(y)), y


def dict_body(state, x):
    c = state["counter"]
    c, y = px.purecall(c, x)
    return {"counter": c, "seen": state["seen"] + 1}, y


def read_body(carry, x):
    c, total = carry
    return (c, total + c.peek()), c.count


def fori_body(i, carry):
    counter, acc = carry
    counter, y = px.purecall(counter, i)
    return counter, acc + y


init = (Counter(), Tracked(key=jax.random.PRNGKey(0)), 0.0)
(c, m, total), ys = jax.lax.scan(body, init, jnp.arange(3.0))
state, _ = jax.lax.scan(dict_body, {"counter": c, "seen": 0}, jnp.arange(2.0))
(c2, t), _ = jax.lax.scan(read_body, (state["counter"], 0), jnp.arange(2.0))
c3, acc = jax.lax.fori_loop(0, 3, fori_body, (c2, 0.0))
assert int(c.count) == 3 and int(state["counter"].count) == 5 and int(c3.count) == 8
