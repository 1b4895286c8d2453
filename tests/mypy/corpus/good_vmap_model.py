"""jax.vmap(model)(xs): a module whose __call__ does not mutate."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
ys = jax.vmap(model)(jnp.ones((3, 2)))
zs = jax.vmap(model.__call__)(jnp.ones((3, 2)))
