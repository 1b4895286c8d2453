"""Modules kept in lists and dicts at top level, only read; `global` statements of non-modules."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

layers = [Linear(2, 2, key=jax.random.PRNGKey(i)) for i in range(3)]
registry = {"a": Counter(), "b": Counter()}
step_count = 0
history: list[int] = []


def forward(layers, x):
    for layer in layers:
        x = layer(x)
    return x


def count():
    global step_count
    step_count += 1
    history.append(step_count)


y = forward(layers, jnp.ones(2))
total = sum(int(c.count) for c in registry.values())
registry = {k: px.purecall(c, 1.0)[0] for k, c in registry.items()}
print([l.weight.shape for l in layers], registry["a"].peek())
count()
assert int(registry["b"].count) == 1
