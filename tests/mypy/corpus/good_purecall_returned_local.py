"""The module updated by px.purecall goes back through a local, a functional copy or eval_mode: nothing is lost."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Tracked


def body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    out = (new_c, y)
    return out


def copy_body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    return px.replace(new_c), y


def eval_body(c: Counter, x):
    c, y = px.purecall(c, x)
    return px.eval_mode(c), y


@jax.jit
def step(model: Tracked, x):
    model, y = px.purecall(model, x)
    params = jax.tree.map(lambda p: p * 0.5, px.parameters(model))
    return px.update_parameters(model, params), y.sum()


@jax.jit
def ema(model: Tracked, teacher: Tracked, x):
    """An EMA copy of the teacher built from the stale-looking argument is a new value, not a lost update."""
    model, y = px.purecall(model, x)
    mixed = jax.tree.map(lambda t, s: 0.9 * t + 0.1 * s, px.parameters(teacher), px.parameters(model))
    return model, px.update_parameters(teacher, mixed), y.sum()


def peek_body(c: Counter, x):
    v, out = px.purecall(c.peek)  # peek does not mutate: nothing to lose
    return px.replace(c), v


jax.jit(eval_body)(Counter(), 1.0)
for f in (body, copy_body, peek_body):
    jax.lax.scan(f, Counter(), jnp.arange(3.0))
model = Tracked(key=jax.random.PRNGKey(0))
step(model, jnp.ones(2))
ema(model, model, jnp.ones(2))
