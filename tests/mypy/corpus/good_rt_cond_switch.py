"""cond / switch branches taking the module as an operand and updating it with purecall."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter


def inc(c, x):
    c, _ = px.purecall(c, x)
    return c


def keep(c, x):
    return c


def twice(c, x):
    c = inc(c, x)
    return inc(c, x)


@jax.jit
def step(c, flag, idx):
    c = jax.lax.cond(flag, inc, keep, c, 1.0)
    c = jax.lax.switch(idx, [keep, inc, twice], c, 1.0)
    c = px.cond(flag, inc, keep, c, 1.0)
    return c


c = step(Counter(), True, 2)
assert int(c.count) == 4
