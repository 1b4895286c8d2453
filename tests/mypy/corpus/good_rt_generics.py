"""Generics, Protocols, TypeVars bound to Module, typing.cast, conditional expressions."""

# runtime: ok
from typing import Any, Generic, Protocol, TypeVar, cast

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

M = TypeVar("M", bound=px.Module)


class Callable1(Protocol):
    def __call__(self, x: Any) -> Any: ...


def call_pure(m: M, x) -> tuple[M, Any]:
    return px.purecall(m, x)


def apply(f: Callable1, x):
    return f(x)


class Holder(Generic[M]):
    def __init__(self, m: M):
        self.m = m

    def step(self, x):
        self.m, y = px.purecall(self.m, x)
        return y


@jax.jit
def step(m: M, x) -> tuple[M, Any]:
    m2, y = px.purecall(m, x)
    return m2, y


def choose(a: Counter, b: Counter, flag: bool):
    m = a if flag else b
    m, y = px.purecall(m, 1.0)
    return cast(px.Module, m)


c, _ = call_pure(Counter(), 1.0)
h = Holder(c)
h.step(2.0)
c, _ = step(h.m, 1.0)
choose(c, Counter(), True)
apply(Linear(2, 2, key=jax.random.PRNGKey(0)), jnp.ones(2))
obj = cast(Any, Counter())
