"""Every override known to the program mutates too (or there is none): the call is still
a proven mutation."""

# runtime: ImmutableModuleError
import jax
import jax.numpy as jnp
from jaxtyping import Array, Int

import purepax as px


class Layer(px.StateModule):
    calls: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.calls = self.calls + 1
        return x


class Doubling(Layer):
    def __call__(self, x):
        self.calls = self.calls + 2
        return 2 * x


class Net(px.Module):
    layer: Layer

    def __call__(self, x):
        return self.layer(x) * 2


def body(net: Net, x):
    return net, net(x)  # E: purepax-mutation


jax.lax.scan(body, Net(Doubling()), jnp.arange(3.0))
