"""PAX's everyday idioms in purepax: update_parameters with an SGD tree_map, a bound method
through purecall, a list of layers built step by step, pure functions returning modules."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]
    counter: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros((o,))
        self.counter = jnp.array(0)

    def __call__(self, x: jax.Array) -> jax.Array:
        self.counter = self.counter + 1
        return x @ self.weight + self.bias


class Net(px.Module):
    layers: list[Linear]

    def __init__(self, *, key: jax.Array) -> None:
        self.layers = []
        for i, k in enumerate(jax.random.split(key, 3)):
            self.layers.append(Linear(2 if i == 0 else 4, 4 if i < 2 else 1, key=k))

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.layers:
            x = jax.nn.relu(layer(x)) if layer is not self.layers[-1] else layer(x)
        return x

    def calls(self) -> int:
        return sum(int(layer.counter) for layer in self.layers)


def loss_fn(net: Net, x: jax.Array, y: jax.Array) -> tuple[jax.Array, Net]:
    net, out = px.purecall(net, x)
    return jnp.mean((out - y) ** 2), net


@px.jit
def update(net: Net, x: jax.Array, y: jax.Array) -> tuple[Net, jax.Array]:
    (loss, net), grads = px.value_and_grad(loss_fn, has_aux=True)(net, x, y)
    params = jax.tree.map(lambda p, g: p - 0.05 * g, px.parameters(net), grads)
    return px.update_parameters(net, params), loss


def main() -> None:
    net = Net(key=jax.random.PRNGKey(0))
    assert isinstance(net.layers, tuple) and len(net.layers) == 3
    assert px.parameters(net).layers[0].counter is None
    x = jax.random.normal(jax.random.PRNGKey(1), (32, 2))
    y = x[:, :1] * 2 - x[:, 1:]
    losses = []
    for _ in range(200):
        net, loss = update(net, x, y)
        losses.append(float(loss))
    assert losses[-1] < 0.2 * losses[0], (losses[0], losses[-1])
    assert net.calls() == 3 * 200
    net2, out = px.purecall(net, x)
    assert net2.calls() == net.calls() + 3 and out.shape == (32, 1)
    try:
        net.layers.append(net.layers[0])  # mypy sees the annotated list; at runtime it is a tuple
    except (AttributeError, TypeError):
        pass
    else:
        raise AssertionError("a finished module's list must be immutable")


if __name__ == "__main__":
    main()
