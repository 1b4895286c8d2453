"""Mutations inside a branch on a mode (or on any attribute) stay only possible, even when
the method has unconditional reads around them; the runtime decides."""

# runtime: ok
from typing import Optional

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Norm(px.StateModule):
    mean: Float[Array, " c"]
    use_running_average: bool = px.static(default=True)

    def __call__(self, x):
        y = x - self.mean
        if not self.use_running_average:
            self.mean = 0.9 * self.mean + 0.1 * x.mean(0)
        return y


class Gated(px.StateModule):
    bias: Optional[Float[Array, " c"]]
    hits: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        if self.bias is None:
            return x
        self.hits = self.hits + 1  # after an early return: only when there is a bias
        return x + self.bias


class Drop(px.Module):
    def __call__(self, x):
        while self.training:
            return x * 0.5
        return x


def body(carry, x):
    norm, gated, drop = carry
    return carry, drop(gated(norm(x)))


carry = (Norm(jnp.zeros(2)), Gated(None), px.eval_mode(Drop()))
jax.lax.scan(body, carry, jnp.ones((3, 2)))
