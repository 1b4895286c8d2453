"""An MLP whose two layers are built from one key: their weights repeat each other."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
import purepax.nn as nn


class MLP(px.Module):
    first: nn.Linear
    second: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        self.first = nn.Linear(3, 3, key=key)
        self.second = nn.Linear(3, 3, key=key)  # E: purepax-key-reuse


print(MLP(jax.random.key(0)).second.weight.shape)
