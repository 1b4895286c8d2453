"""A scan body packs the stale carry into a local and returns that: px.purecall's update is lost."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter


def body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    out = (c, y)
    return out  # E: purepax-unreturned


jax.lax.scan(body, Counter(), jnp.arange(3))
