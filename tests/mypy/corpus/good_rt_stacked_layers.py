"""Scan over stacked layers (read-only xs), vmap over models, purecall in a vmapped lambda."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

keys = jax.random.split(jax.random.PRNGKey(0), 3)
stacked = jax.vmap(lambda k: Linear(2, 2, key=k))(keys)


def apply_stack(layers, x):
    def body(h, layer):
        return jnp.tanh(layer(h)), None

    h, _ = jax.lax.scan(body, x, layers)
    return h


y = jax.jit(apply_stack)(stacked, jnp.ones(2))
outs = jax.vmap(lambda layer, x: layer(x), in_axes=(0, None))(stacked, jnp.ones(2))
cs, ys = jax.vmap(lambda c, x: px.purecall(c, x), in_axes=(None, 0))(Counter(), jnp.arange(3.0))
step = jax.jit(lambda c, x: px.purecall(c, x))
c, y = step(Counter(), 1.0)
c, y = step(c, 1.0)
assert int(c.count) == 2
