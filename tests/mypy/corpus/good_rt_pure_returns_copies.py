"""A pure function that changes its argument and returns a px.replace / update_parameters / eval_mode copy of it."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked


@px.pure
def tick_replace(c: Counter, x):
    c(x)
    return px.replace(c, count=c.count + 10)


@px.pure
def tick_eval(m: Tracked, x):
    y = m(x)
    return px.eval_mode(m), y


def tick_params(m: Tracked, x):
    m(x)
    return px.update_parameters(m, px.parameters(m))


c = tick_replace(Counter(), 1.0)
m, y = tick_eval(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
m = px.pure(tick_params)(m, jnp.ones(2))
assert int(c.count) == 11 and int(m.counter.count) == 2
