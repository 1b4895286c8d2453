"""raw vmap/grad read captured modules through non-mutating helpers."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


from corpus_defs import read

counter = Counter()
model = Linear(2, 2, key=jax.random.PRNGKey(0))
jax.vmap(lambda x: read(counter) + x)(jnp.ones(3))
jax.grad(lambda x: jnp.sum(model(x)) + read(counter))(jnp.ones(2))
jax.vmap(counter.peek, axis_size=2)()
