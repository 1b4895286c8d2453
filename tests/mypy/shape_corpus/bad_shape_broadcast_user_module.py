"""A dataclass-style gate of 4 features multiplied into activations of 5."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Gate(px.Module):
    features: int
    logits: Float[Array, "features"]


gate = Gate(features=4, logits=jnp.zeros(4))
h = jnp.ones((2, 5))
out = h * jax.nn.sigmoid(gate.logits)  # expect: purepax-shape
