"""A scan body calls a submodule that counts its calls through px.purecall, never uses the
new submodule, and returns the stale model: the count is lost."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Tracked


def body(model: Tracked, x):
    new_counter, y = px.purecall(model.counter, x)
    return model, y  # E: purepax-unreturned


def read_only(model: Tracked, x):
    new_linear, y = px.purecall(model.linear, x)  # Linear only reads: nothing to lose
    return model, y


model, ys = jax.lax.scan(body, Tracked(key=jax.random.PRNGKey(0)), jnp.ones((3, 2)))
model, ys = jax.lax.scan(read_only, model, jnp.ones((3, 2)))
assert int(model.counter.count) == 0
