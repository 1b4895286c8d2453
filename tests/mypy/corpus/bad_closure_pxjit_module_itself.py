"""px.jit(counter): the module itself as the function (nnx.jit(counter))."""

# runtime: ClosureCaptureError
# needs: px.jit
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice


counter = Counter()
px.jit(counter)(1.0)  # E: purepax-closure
