"""Sizes from module-level constants and config objects: fine, whatever the rule knows."""

import dataclasses

import jax
import jax.numpy as jnp

from purepax import nn

IN_FEATURES = 4


@dataclasses.dataclass
class Config:
    hidden: int = 8


config = Config()
k1, k2 = jax.random.split(jax.random.key(0))
first = nn.Linear(IN_FEATURES, config.hidden, key=k1)
second = nn.Linear(config.hidden, 2, key=k2)
x = jnp.ones((2, IN_FEATURES))
assert second(first(x)).shape == (2, 2)
