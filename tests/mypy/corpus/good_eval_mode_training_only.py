"""A module that mutates only in training mode, called in eval mode."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


class Noisy(px.StateModule):
    key: jax.Array

    def __call__(self, x):
        if self.training:
            self.key, sub = jax.random.split(self.key)
            return x + jax.random.normal(sub, x.shape)
        return x


noisy = px.eval_mode(Noisy(jax.random.PRNGKey(0)))
y = noisy(jnp.ones(2))


def apply(m: Noisy, x):
    return m(x)


jax.jit(apply)(noisy, jnp.ones(2))
jax.lax.scan(lambda c, x: (c, apply(c, x)), noisy, jnp.ones((3, 2)))
