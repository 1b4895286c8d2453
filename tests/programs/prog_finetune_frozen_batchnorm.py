"""Pre-train a network with BatchNorm, then fine-tune it with its batch statistics frozen.

Pre-training runs in training mode: BatchNorm normalises with the batch's statistics and
updates its running ones, so the loss calls the model through `px.purecall` and returns
it as aux. Fine-tuning on a shifted task puts the model in eval mode (`px.eval_mode`):
BatchNorm then uses the running statistics and changes nothing, as when fine-tuning a
detector on small batches. The same optimizer, built in training mode, keeps its Adam
moments and steps the eval-mode model; the step returns it in eval mode.
"""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Net(px.Module):
    embed: nn.Linear
    norm: nn.BatchNorm
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.embed = nn.Linear(4, 16, key=k1)
        self.norm = nn.BatchNorm(16, momentum=0.8)
        self.head = nn.Linear(16, 1, key=k2)

    def __call__(self, x: Float[Array, "b 4"]) -> Float[Array, "b 1"]:
        return self.head(jax.nn.relu(self.norm(self.embed(x))))


def train_loss(model: Net, x: jax.Array, y: jax.Array) -> tuple[jax.Array, Net]:
    model, pred = px.purecall(model, x)  # training mode: the running statistics move
    return jnp.mean((pred - y) ** 2), model


def eval_loss(model: Net, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)  # eval mode: a read-only call


@px.jit
def pretrain_step(model: Net, optimizer: Optimizer, x: jax.Array, y: jax.Array) -> tuple[Net, Optimizer, jax.Array]:
    (loss, model), grads = px.value_and_grad(train_loss, has_aux=True)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


@px.jit
def finetune_step(model: Net, optimizer: Optimizer, x: jax.Array, y: jax.Array) -> tuple[Net, Optimizer, jax.Array]:
    loss, grads = px.value_and_grad(eval_loss)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


def main() -> None:
    kx, kw, kf, km = jax.random.split(jax.random.key(0), 4)
    x = 3.0 + 2.0 * jax.random.normal(kx, (64, 4))  # far from zero mean, unit variance
    w = jax.random.normal(kw, (4, 1))
    y = jnp.sin(x @ w)
    model = Net(key=km)
    optimizer = Optimizer(optax.adam(1e-2), model)

    for _ in range(100):
        model, optimizer, loss = pretrain_step(model, optimizer, x, y)
    assert model.training and model.norm.training
    assert float(jnp.abs(model.norm.mean).max()) > 0.1  # the running statistics were learned

    # Fine-tune on a shifted task with the statistics frozen, from a small batch.
    model = px.eval_mode(model)
    frozen_mean, frozen_var = model.norm.mean, model.norm.var
    x_ft = x[:8]
    y_ft = jnp.sin(x_ft @ w) + 0.5
    before = float(eval_loss(model, x_ft, y_ft))
    for _ in range(60):
        model, optimizer, loss = finetune_step(model, optimizer, x_ft, y_ft)
    after = float(eval_loss(model, x_ft, y_ft))
    assert after < 0.1 * before, (before, after)
    assert not model.training and not model.norm.training  # stepped and returned in eval mode
    assert jnp.array_equal(model.norm.mean, frozen_mean) and jnp.array_equal(model.norm.var, frozen_var)
    assert int(optimizer.state[0].count) == 160  # one optimizer across both modes


if __name__ == "__main__":
    main()
