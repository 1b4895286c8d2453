"""PAX's mnist example, on synthetic data: an MLP trained with px.jit + px.value_and_grad."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) * (2.0 / i) ** 0.5
        self.bias = jnp.zeros((o,))

    def __call__(self, x: Float[Array, "b i"]) -> Float[Array, "b o"]:
        return x @ self.weight + self.bias


class MLP(px.Module):
    layers: tuple[Linear, ...]

    def __init__(self, sizes: list[int], *, key: jax.Array) -> None:
        keys = jax.random.split(key, len(sizes) - 1)
        layers = []
        for i, o, k in zip(sizes[:-1], sizes[1:], keys):
            layers.append(Linear(i, o, key=k))
        self.layers = tuple(layers)

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.layers[:-1]:
            x = jax.nn.relu(layer(x))
        return self.layers[-1](x)


def loss_fn(model: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    logits = model(x)
    logp = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=-1))


@px.jit
def train_step(model: MLP, x: jax.Array, y: jax.Array) -> tuple[MLP, jax.Array]:
    loss, grads = px.value_and_grad(loss_fn)(model, x, y)
    params = jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
    return px.update_parameters(model, params), loss


def main() -> None:
    kx, kw, km = jax.random.split(jax.random.PRNGKey(0), 3)
    x = jax.random.normal(kx, (64, 8))
    teacher = jax.random.normal(kw, (8, 3))
    y = jnp.argmax(x @ teacher, axis=-1)
    model = MLP([8, 16, 3], key=km)
    first = loss_fn(model, x, y)
    losses = []
    for _ in range(100):
        model, loss = train_step(model, x, y)
        losses.append(float(loss))
    assert losses[0] == float(first)
    assert losses[-1] < 0.5 * losses[0], losses[::10]
    accuracy = jnp.mean(jnp.argmax(model(x), -1) == y)
    assert accuracy > 0.8, accuracy
    assert isinstance(model, MLP) and len(model.layers) == 2


if __name__ == "__main__":
    main()
