"""px.pure functions that store their updated argument into what they return: appended
to a list, put in a dict with `update`, stored by a helper, through a chain of containers."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Tracked


def store(outputs, key, value):
    outputs[key] = value


@px.pure
def step(model: Tracked, x):
    results = {"y": model(x)}
    results.update(model=model)
    return results


@px.pure
def collect(c: Counter, xs):
    outs = []
    for x in xs:
        outs.append(c(x))
    outs.append(c)
    return outs


@px.pure
def via_helper(c: Counter, x):
    out: dict = {}
    store(out, "y", c(x))
    store(out, "c", c)
    return out


@px.pure
def nested(c: Counter, x):
    modules: list = []
    modules.append(c)
    state = {"modules": modules}
    c(x)
    return state


r = step(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
assert int(r["model"].counter.count) == 1
outs = collect(Counter(), [1.0, 2.0])
assert int(outs[-1].count) == 2
out = via_helper(Counter(), 1.0)
assert int(out["c"].count) == 1
state = nested(Counter(), 1.0)
assert int(state["modules"][0].count) == 1
