"""A field typed with a base class whose __call__ mutates holds a subclass whose override
does not: nothing is proven, since the program knows an override that does not mutate."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import Array, Int

import purepax as px


class Layer(px.StateModule):
    calls: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.calls = self.calls + 1
        return x


class Identity(Layer):
    def __call__(self, x):
        return x


class Net(px.Module):
    layer: Layer

    def __call__(self, x):
        return self.layer(x) * 2


def body(net: Net, x):
    return net, net(x)


def direct(layer: Layer, x):
    return layer, layer(x)


jax.lax.scan(body, Net(Identity()), jnp.arange(3.0))
jax.lax.scan(direct, Identity(), jnp.arange(3.0))
