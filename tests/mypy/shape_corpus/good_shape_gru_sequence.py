"""A GRU over sequences, its hidden states read out per step."""

import jax
import jax.numpy as jnp

from purepax import nn

k1, k2 = jax.random.split(jax.random.key(0))
rnn = nn.GRU(3, 8, key=k1)
readout = nn.Linear(8, 2, key=k2)
hidden = rnn(jnp.ones((2, 5, 3)))
assert readout(hidden).shape == (2, 5, 2)
