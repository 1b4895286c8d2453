"""Closures under jit/scan over arrays, numbers, functions, module classes and config objects."""

# runtime: ok
import dataclasses
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


@dataclasses.dataclass(frozen=True)
class Config:
    lr: float = 0.1
    depth: int = 2


CFG = Config()
TABLE = jnp.arange(4.0)
SCALE = 3.0
activation = jax.nn.relu


def make_step(cfg: Config):
    offset = jnp.ones(2)

    @jax.jit
    def step(model: Linear, x):
        for _ in range(cfg.depth):
            x = activation(model(x) + offset) * SCALE
        return x + TABLE[:2] * cfg.lr

    return step


def build(key):
    cls = Linear

    @jax.jit
    def make(k):
        return cls(2, 2, key=k)

    return make(key)


def scan_all(xs):
    factor = 2.0

    def body(c, x):
        c, y = px.purecall(c, x * factor)
        return c, y + TABLE[0]

    return jax.lax.scan(body, Counter(), xs)


step = make_step(CFG)
model = build(jax.random.PRNGKey(0))
step(model, jnp.ones(2))
c, ys = scan_all(jnp.arange(3.0))
assert int(c.count) == 3
