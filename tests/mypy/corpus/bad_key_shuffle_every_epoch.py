"""Shuffling the data with the same key every epoch: every epoch sees one order."""

# runtime: silent
import jax
import jax.numpy as jnp


data = jnp.arange(10.0)
key = jax.random.key(0)
for epoch in range(3):
    order = jax.random.permutation(key, data.shape[0])  # E: purepax-key-reuse
    print(epoch, data[order][:3])
