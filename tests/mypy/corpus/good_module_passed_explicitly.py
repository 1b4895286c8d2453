"""Modules passed to transforms as explicit arguments."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


model = Linear(2, 2, key=jax.random.PRNGKey(0))
y = jax.jit(lambda m, x: m(x))(model, jnp.ones(2))
carry, ys = jax.lax.scan(lambda m, x: (m, m(x[None] * jnp.ones(2))), model, jnp.arange(3.0))
ws = jax.lax.fori_loop(0, 2, lambda i, m: m, model)
