"""A scan body drops px.purecall's stack of read-only blocks and returns its argument:
calling the stack changes it only when a block changes itself, so nothing is lost."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


def body(blocks: px.Stacked[Linear], x):
    new_blocks, y = px.purecall(blocks, x)
    return blocks, y.sum()


blocks = px.stack(lambda key: Linear(2, 2, key=key), jax.random.split(jax.random.PRNGKey(0), 3))
blocks, ys = jax.lax.scan(body, blocks, jnp.ones((4, 2)))
assert ys.shape == (4,)
