"""The same key split twice: the two splits make the same subkeys."""

# runtime: silent
import jax
import jax.numpy as jnp

import jax.random as jr

key = jr.PRNGKey(42)
encoder_keys = jr.split(key, 3)
decoder_keys = jr.split(key, 3)  # E: purepax-key-reuse
print(encoder_keys.shape, decoder_keys.shape)
