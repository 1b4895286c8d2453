"""Functions given to transforms drop px.purecall's update and return a functional copy of
the stale module, after rebinding its name to that copy (`c = px.replace(c, ...)`):
directly, through a local tuple (assigned on either branch), or a copy of a copy. A copy of
a stale module is stale too; `__call__` annotated (Meter) or not (Counter)."""

# runtime: silent
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px
from corpus_defs import Counter

DECAY = True


class Meter(px.Module):
    total: Float[Array, ""] = px.state(default_factory=lambda: jnp.zeros(()))
    scale: Float[Array, ""] = px.param(default_factory=lambda: jnp.ones(()))

    def __call__(self, x: jax.Array) -> jax.Array:
        self.total = self.total + x.sum()
        return x * self.scale


def annotated(m: Meter, x):
    new_m, y = px.purecall(m, x)
    m = px.replace(m, scale=m.scale * 0.5)
    return m, y  # E: purepax-unreturned


def carried(carry, x):
    c, seen = carry
    new_c, y = px.purecall(c, x)
    c = px.replace(c)
    return (c, seen + 1), y  # E: purepax-unreturned


def branches(carry: tuple[Meter, jax.Array], x):
    m, lr = carry
    new_m, y = px.purecall(m, x)
    if DECAY:
        out = (px.replace(m, scale=m.scale * lr), lr * 0.9)
    else:
        out = (m, lr)
    return out, y  # E: purepax-unreturned


def copied_twice(c: Counter, x):
    c = px.train_mode(c)
    new_c, y = px.purecall(c, x)
    snapshot = px.replace(c)
    snapshot = px.eval_mode(snapshot)
    result = (snapshot, y)
    return result  # E: purepax-unreturned


m, ys = jax.lax.scan(annotated, Meter(), jnp.ones((3, 2)))
assert float(m.total) == 0.0
(c, seen), ys = jax.lax.scan(carried, (Counter(), 0), jnp.arange(3.0))
assert int(c.count) == 0
(m, lr), ys = jax.lax.scan(branches, (Meter(), jnp.array(0.5)), jnp.ones((3, 2)))
assert float(m.total) == 0.0
c, y = jax.jit(copied_twice)(Counter(), 1.0)
assert int(c.count) == 0 and not c.training
