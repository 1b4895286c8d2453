"""Syntax the plugin walks through without a report or an internal error."""

# runtime: ok
import asyncio
import functools
from typing import Any

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

model = Linear(2, 2, key=jax.random.PRNGKey(0))
total = 0


def describe(value: Any) -> str:
    match value:
        case {"kind": kind}:
            return str(kind)
        case [first, *rest]:
            return f"{first}{len(rest)}"
        case _:
            return "?"


def running():
    count = 0

    def add(n):
        nonlocal count
        count += n
        return count

    global total
    total += add(1)
    if (n := add(2)) > 2:
        return n
    return 0


async def fetch(x):
    await asyncio.sleep(0)
    return x


def generate(n):
    yield from range(n)
    yield n


def guarded(x):
    try:
        with open(__file__) as f:
            f.read(1)
    except (OSError, ValueError) as error:
        raise RuntimeError("unreadable") from error
    else:
        del x
    finally:
        pass
    return {k: v for k, v in [("a", 1)] if v}, {i for i in range(2)}, [*range(2)]


def make_class():
    class Local(px.Module):
        w: jax.Array

        def __call__(self, x, *args, **kwargs):
            return x * self.w

    return jax.jit(lambda m, x: m(x))(Local(jnp.ones(2)), jnp.ones(2))


@functools.lru_cache(maxsize=None)
def cached(n: int) -> int:
    return n + 1


describe({"kind": 1})
describe([1, 2])
running()
asyncio.run(fetch(1))
list(generate(2))
guarded(1)
make_class()
cached(1)
print(*[model(jnp.ones(2))], sep="", end="\n" if total else "")
lambda *a, **k: (a, k)
x = jnp.ones(2)
x = x.at[0].set(2.0)
Counter().peek()
