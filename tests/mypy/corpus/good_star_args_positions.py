"""Arguments given through `*args` to a transformed function, a partial and a scan: the
modules after them land in parameters the plugin cannot locate, so it types none of them
(an encoder is not taken for the counter passed after the star)."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear


def step(encoder, decoder, counter, x):
    h = encoder(x)
    counter, _ = px.purecall(counter, x)
    return decoder(h), counter


def body(encoder, counter, x):
    counter, _ = px.purecall(counter, x)
    return counter, encoder(x)


keys = jax.random.split(jax.random.PRNGKey(0), 2)
models = (Linear(2, 2, key=keys[0]), Linear(2, 2, key=keys[1]))
x = jnp.ones(2)
counter = Counter()
y, counter = jax.jit(step)(*models, counter, x)
y, counter = jax.jit(functools.partial(step, *models[:1]))(models[1], Counter(), x)
counter, ys = jax.lax.scan(functools.partial(body, *models[:1]), Counter(), jnp.ones((3, 2)))
assert int(counter.count) == 3
