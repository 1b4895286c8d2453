"""A scan body drops px.purecall's stack of blocks that count their calls: every block's
update is lost."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Tracked


def body(blocks: px.Stacked[Tracked], x):
    new_blocks, y = px.purecall(blocks, x)
    return blocks, y.sum()  # E: purepax-unreturned


blocks = px.stack(lambda key: Tracked(key=key), jax.random.split(jax.random.PRNGKey(0), 3))
blocks, ys = jax.lax.scan(body, blocks, jnp.ones((4, 2)))
assert int(blocks.layers.counter.count.sum()) == 0
