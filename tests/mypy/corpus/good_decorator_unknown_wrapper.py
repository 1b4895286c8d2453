"""A project's own decorators on functions given to transforms and to px.pure (one returns
px.pure(fn), one calls it through px.pure, one returns the model with the output): the
plugin cannot tell what such a decorator hands the function or returns, so it proves
nothing about the function's parameters."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter


def with_views(fn):
    """Run `fn` on mutable views of its modules."""
    return px.pure(fn)


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return px.pure(fn)(*args, **kwargs)

    return wrapper


@jax.jit
@with_views
def step(c: Counter, x):
    y = c(x)
    return c, y


@with_views
def body(c: Counter, x):
    y = c(x)
    return c, y


@logged
def reset_body(c: Counter, x):
    c.reset()
    return c, x


def returning_model(fn):
    @functools.wraps(fn)
    def wrapper(model, *args):
        out = fn(model, *args)
        return model, out

    return wrapper


@px.pure
@returning_model
def tick(c: Counter, x):
    c(x)
    return x


c, y = step(Counter(), 1.0)
c, ys = jax.lax.scan(body, c, jnp.arange(3.0))
assert int(c.count) == 4
c, ys = jax.lax.scan(reset_body, c, jnp.arange(3.0))
c, y = jax.jit(px.pure(body))(c, 1.0)
c, y = tick(c, 1.0)
c, y = px.pure(returning_model(lambda c, x: c(x)))(c, 1.0)
assert int(c.count) == 3
