"""Two gradient steps on a Linear: gradients keep the parameters' shapes."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from purepax import nn


def loss(model: nn.Linear, x: Float[Array, "b 4"], y: Float[Array, "b 1"]) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


model = nn.Linear(4, 1, key=jax.random.key(0))
x, y = jnp.ones((4, 4)), jnp.zeros((4, 1))
for _ in range(2):
    grads = jax.grad(loss)(model, x, y)
    model = jax.tree.map(lambda p, g: p - 0.1 * g, model, grads)
print(loss(model, x, y))
