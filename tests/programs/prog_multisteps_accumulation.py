"""Gradient accumulation with `optax.MultiSteps` through `purepax.optim.Optimizer`.

A batch too large for memory is split into micro-batches; `optax.MultiSteps(sgd, 4)`
averages four micro-batch gradients and applies them on the fourth step, leaving the
model untouched on the other three. The micro-steps run in a `px.scan` whose carry is
the model and the optimizer. One accumulated step equals one SGD step on the full batch;
then training with it brings the loss down.
"""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

MICRO_BATCHES = 4
LR = 0.1


class Regressor(px.Module):
    body: nn.Linear
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.body = nn.Linear(3, 16, key=k1)
        self.head = nn.Linear(16, 1, key=k2)

    def __call__(self, x: Float[Array, "b 3"]) -> Float[Array, "b 1"]:
        return self.head(jax.nn.gelu(self.body(x)))


def loss_fn(model: Regressor, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


@px.jit
def accumulate(
    model: Regressor, optimizer: Optimizer, xs: jax.Array, ys: jax.Array
) -> tuple[Regressor, Optimizer, jax.Array]:
    """One step of the large batch: a micro-step per slice of `xs`, `ys`; the losses of each."""

    def micro_step(
        carry: tuple[Regressor, Optimizer], batch: tuple[jax.Array, jax.Array]
    ) -> tuple[tuple[Regressor, Optimizer], jax.Array]:
        model, optimizer = carry
        loss, grads = px.value_and_grad(loss_fn)(model, *batch)
        return optimizer.apply_gradients(model, grads), loss

    (model, optimizer), losses = px.scan(micro_step, (model, optimizer), (xs, ys))
    return model, optimizer, losses


@px.jit
def sgd_step(model: Regressor, x: jax.Array, y: jax.Array) -> Regressor:
    grads = px.grad(loss_fn)(model, x, y)
    return jax.tree.map(lambda p, g: p - LR * g, model, grads)


def main() -> None:
    kx, kw, km = jax.random.split(jax.random.key(0), 3)
    x = jax.random.normal(kx, (32, 3))
    y = jnp.tanh(x @ jax.random.normal(kw, (3, 1)))
    xs, ys = x.reshape(MICRO_BATCHES, 8, 3), y.reshape(MICRO_BATCHES, 8, 1)
    model = Regressor(key=km)
    optimizer = Optimizer(optax.MultiSteps(optax.sgd(LR), every_k_schedule=MICRO_BATCHES), model)

    # Three micro-steps leave the model as it was; the fourth applies the mean gradient.
    partial, _, _ = accumulate(model, optimizer, xs[:3], ys[:3])
    assert jnp.array_equal(partial.body.weight, model.body.weight)
    stepped, optimizer, losses = accumulate(model, optimizer, xs, ys)
    assert losses.shape == (MICRO_BATCHES,)
    reference = sgd_step(model, x, y)
    for got, want in zip(jax.tree.leaves(stepped), jax.tree.leaves(reference)):
        assert jnp.allclose(got, want, atol=1e-5), float(jnp.abs(got - want).max())

    first = float(loss_fn(model, x, y))
    model = stepped
    for _ in range(60):
        model, optimizer, losses = accumulate(model, optimizer, xs, ys)
    last = float(loss_fn(model, x, y))
    assert last < 0.25 * first, (first, last)
    assert int(optimizer.state.gradient_step) == 61


if __name__ == "__main__":
    main()
