"""Another file's module and functions, called with shapes that fit."""

import jax
import jax.numpy as jnp

from xshape.models import Encoder, make_encoder, pair_distance, pool

encoder = Encoder(4, 8, key=jax.random.key(1))
codes = encoder(pool(jnp.ones((2, 7, 4))))
print(pair_distance(codes, jnp.zeros((2, 8))))
built = make_encoder()
print(built(jnp.ones(3)).shape)
