"""A bound method of a module is the body of fori_loop."""

# runtime: silent
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Stepper(px.Module):
    scale: float = 0.5

    def step(self, i, x):
        return x * self.scale


s = Stepper()
jax.lax.fori_loop(0, 3, s.step, jnp.ones(2))  # E: purepax-closure
