"""An Encoder built from another file's class, called on the wrong width."""

import jax
import jax.numpy as jnp

from xshape.models import Encoder

encoder = Encoder(3, 8, key=jax.random.key(0))
codes = encoder(jnp.ones((2, 5)))  # expect: purepax-shape
