"""Steps built inside the epoch loop, as helpers do: px.jit(px.value_and_grad(loss)) and
px.jit(px.vmap(predict)) made afresh each epoch must reuse one compiled program (as
Equinox's filter_jit(filter_grad(f)) does), not trace again every epoch."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px

TRACES = {"loss": 0, "predict": 0}


class Linear(px.Module):
    w: Float[Array, "i o"]
    b: Float[Array, " o"]

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.w + self.b


def loss_fn(model: Linear, x: jax.Array, y: jax.Array) -> jax.Array:
    TRACES["loss"] += 1
    return jnp.mean((model(x) - y) ** 2)


def predict(model: Linear, x: jax.Array) -> jax.Array:
    TRACES["predict"] += 1
    return model(x)


def run_epoch(model: Linear, xs: jax.Array, ys: jax.Array) -> tuple[Linear, jax.Array]:
    step = px.jit(px.value_and_grad(loss_fn))  # built per epoch
    total = jnp.array(0.0)
    for x, y in zip(xs, ys):
        loss, g = step(model, x, y)
        model = jax.tree.map(lambda p, d: p - 0.1 * d, model, g)
        total = total + loss
    return model, total / len(xs)


def evaluate(model: Linear, xs: jax.Array) -> jax.Array:
    return px.jit(px.vmap(predict, in_axes=(None, 0)))(model, xs)


def main() -> None:
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    xs = jax.random.normal(k1, (4, 8, 3))
    ys = xs @ jax.random.normal(k2, (3, 1))
    model = Linear(jnp.zeros((3, 1)), jnp.zeros(1))
    losses = []
    for epoch in range(5):
        model, loss = run_epoch(model, xs, ys)
        losses.append(float(loss))
        assert evaluate(model, xs).shape == (4, 8, 1)
    assert losses[-1] < 0.5 * losses[0], losses
    assert TRACES["predict"] == 1, TRACES  # one program per function and options
    assert TRACES["loss"] == 1, TRACES


if __name__ == "__main__":
    main()
