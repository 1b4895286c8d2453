"""A scan body binds px.purecall's update to a name it never uses and returns a functional copy of the stale carry."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter


def body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    return px.replace(c), y  # E: purepax-unreturned


def eval_body(c: Counter, x):
    new_c, y = px.purecall(c, x)
    return px.eval_mode(c), y  # E: purepax-unreturned


jax.lax.scan(body, Counter(), jnp.arange(3))
jax.jit(eval_body)(Counter(), 1.0)
