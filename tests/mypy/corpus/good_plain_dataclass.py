"""Plain dataclasses and objects are not modules: no purepax rule applies."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


import dataclasses


@dataclasses.dataclass
class Config:
    steps: int = 0


class Box:
    def __init__(self):
        self.value = 0

    def set(self, v):
        self.value = v


cfg = Config()
cfg.steps = 3
box = Box()
box.set(1)


@jax.jit
def f(x):
    local = Config()
    local.steps = 2
    return x * cfg.steps


def body(carry, x):
    b = Box()
    b.set(x)
    return carry, x


f(1.0)
jax.lax.scan(body, 0, jnp.arange(3))
