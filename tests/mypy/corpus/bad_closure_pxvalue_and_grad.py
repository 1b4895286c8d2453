"""px.value_and_grad over a loss that reads a second, captured model."""

# runtime: ClosureCaptureError
# needs: px.value_and_grad
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


teacher = Linear(2, 2, key=jax.random.PRNGKey(1))


def distill(student: Linear, x):
    return jnp.sum((student(x) - teacher(x)) ** 2)  # E: purepax-closure


px.value_and_grad(distill)(Linear(2, 2, key=jax.random.PRNGKey(0)), jnp.ones(2))
