"""PAX's dataclass Linear: `self.counter += 1`, then `if self.bias is not None:`. The count
is updated on every call, whatever the branch does, so calling it in a scan body mutates."""

# runtime: ImmutableModuleError
from typing import Optional

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class CountedLinear(px.StateModule):
    weight: Float[Array, "i o"]
    bias: Optional[Float[Array, " o"]]
    counter: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.counter += 1
        y = x @ self.weight
        if self.bias is not None:
            y = y + self.bias
        return y


def body(layer: CountedLinear, x):
    return layer, layer(x)  # E: purepax-mutation


jax.lax.scan(body, CountedLinear(jnp.ones((2, 2)), jnp.zeros(2)), jnp.ones((3, 2)))
