"""An annotated function of another file given a batch whose last axis is 3, not 4."""

import jax.numpy as jnp

from xshape.models import pool

frames = jnp.ones((2, 7, 3))
summary = pool(frames)  # expect: purepax-shape
