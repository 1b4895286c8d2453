"""A jitted step rebuilds the stale model with new parameters: the counter update from px.purecall is lost."""

# runtime: silent
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Tracked


@jax.jit
def step(model: Tracked, x):
    new_model, y = px.purecall(model, x)
    params = jax.tree.map(lambda p: p * 0.5, px.parameters(model))
    return px.update_parameters(model, params), y.sum()  # E: purepax-unreturned


step(Tracked(key=jax.random.PRNGKey(0)), jnp.ones(2))
