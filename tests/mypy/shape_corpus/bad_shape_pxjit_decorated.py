"""A @px.jit forward pass called on a batch of the wrong width."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px
from purepax import nn


@px.jit
def forward(layer: nn.Linear, x: Float[Array, "batch 3"]) -> Float[Array, "batch 2"]:
    return layer(x)


model = nn.Linear(3, 2, key=jax.random.key(0))
out = forward(model, jnp.ones((2, 4)))  # expect: purepax-shape
