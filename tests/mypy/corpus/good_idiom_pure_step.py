"""A training step written as one @px.pure function: the model and its counter changed in
place on the view and returned with the metrics (in a dict, a tuple, through a helper)."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump


@px.pure
def observe(model: Tracked, x):
    y = model(x)
    return {"model": model, "y": y}


@px.pure
def tick_all(counters, x):
    first, second = counters
    first(x)
    second(x)
    return counters


@px.pure
def warmup(c, steps: int):
    for _ in range(steps):
        bump(c)
    return c, steps


def metrics(model, x):
    out = observe(model, x)
    return out["model"], jnp.mean(out["y"])


model = Tracked(key=jax.random.PRNGKey(0))
model, m = jax.jit(metrics)(model, jnp.ones(2))
c1, c2 = tick_all((Counter(), Counter()), 1.0)
c, n = warmup(Counter(), 3)
assert int(model.counter.count) == 1 and int(c1.count) == 1 and int(c.count) == 3
