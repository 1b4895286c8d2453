"""A jitted function passes its module to a static method that mutates it; generics, classmethods, overrides read-only."""

# runtime: ImmutableModuleError
from typing import Any, Generic, TypeVar
import typing
import functools
import jax
import jax.numpy as jnp
import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump

M = TypeVar("M", bound=px.Module)


class Wrapper(px.Module, Generic[M]):
    inner: M

    def __call__(self, x):
        return self.inner(x)


class Model(px.Module):
    layers: tuple[Linear, ...]

    @classmethod
    def create(cls, key):
        return cls(tuple(Linear(2, 2, key=k) for k in jax.random.split(key, 2)))

    @staticmethod
    def helper(c):
        c.count = c.count + 1

    def __call__(self, x):
        for i in range(len(self.layers)):
            x = self.layers[i](x)
        return x


class Quiet(Counter):
    def __call__(self, x):
        return x


@jax.jit
def f(w: Wrapper[Linear], m: Model, q: Quiet, x):
    Model.helper(q)  # E: purepax-mutation
    return w(x) + m(x) + q(x)


@px.pure
def g(c: Counter, **kwargs):
    c(1.0)
    return c, kwargs


m = Model.create(jax.random.PRNGKey(0))
m, y = px.purecall(m, jnp.ones(2))
f(Wrapper(Linear(2, 2, key=jax.random.PRNGKey(1))), m, Quiet(), jnp.ones(2))
