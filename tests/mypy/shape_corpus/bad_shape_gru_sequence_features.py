"""A GRU over sequences of 3 features given sequences of 4."""

import jax
import jax.numpy as jnp

from purepax import nn

rnn = nn.GRU(3, 8, key=jax.random.key(0))
sequences = jnp.ones((2, 5, 4))
hidden = rnn(sequences)  # expect: purepax-shape
