"""Gradients are typed as the model passed in, also through a loss typed with `px.Module`.

A loss written once for any model (`model: px.Module`) gives each model's gradient its
own class, so the gradient goes on to `px.update_parameters` and an optimizer typed. A
loss typed with a model class, or with a tuple or dict of modules, gives that type.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import Array
from typing_extensions import reveal_type

import purepax as px


class MLP(px.Module):
    hidden: Array
    out: Array

    def __init__(self, *, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = jax.random.normal(k1, (2, 8))
        self.out = jax.random.normal(k2, (8, 1))

    def __call__(self, x: Array) -> Array:
        return jax.nn.relu(x @ self.hidden) @ self.out


class Critic(px.Module):
    weight: Array

    def __call__(self, x: Array) -> Array:
        return x @ self.weight


def mse(model: px.Module, x: Array, y: Array) -> Array:
    return jnp.mean((model(x) - y) ** 2)


def mse_with_prediction(model: px.Module, x: Array, y: Array) -> tuple[Array, Array]:
    prediction = model(x)
    return jnp.mean((prediction - y) ** 2), prediction


def critic_loss(critic: Critic, x: Array) -> Array:
    return jnp.sum(critic(x) ** 2)


def pair_loss(models: tuple[MLP, Critic], x: Array) -> Array:
    mlp, critic = models
    return jnp.sum(mlp(x)) + jnp.sum(critic(x))


def dict_loss(models: dict[str, px.Module], x: Array) -> Array:
    return sum((jnp.sum(m(x)) for m in models.values()), start=jnp.zeros(()))


def any_loss(models: Any, x: Array) -> Array:
    modules = jax.tree.leaves(models, is_leaf=lambda m: isinstance(m, px.Module))
    return sum((jnp.sum(m(x)) for m in modules), start=jnp.zeros(()))


def sgd(model: MLP, grads: MLP, rate: float) -> MLP:
    step: MLP = jax.tree.map(lambda p, g: p - rate * g, px.parameters(model), grads)
    return px.update_parameters(model, step)


@px.jit
def train_step(model: MLP, x: Array, y: Array) -> tuple[MLP, Array]:
    loss, grads = px.value_and_grad(mse)(model, x, y)
    return sgd(model, grads, 0.01), loss


@px.grad
def mse_grad(model: px.Module, x: Array, y: Array) -> Array:
    return mse(model, x, y)


model = MLP(key=jax.random.key(0))
critic = Critic(jnp.ones((2, 1)))
x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))

grads = px.grad(mse)(model, x, y)
reveal_type(grads)  # reveals: MLP
reveal_type(px.grad(mse)(critic, x, y))  # reveals: Critic
reveal_type(px.value_and_grad(mse)(model, x, y))  # reveals: tuple[Array, MLP]
reveal_type(px.grad(mse_with_prediction, has_aux=True)(model, x, y))  # reveals: tuple[MLP, Array]
reveal_type(px.value_and_grad(mse_with_prediction, has_aux=True)(model, x, y))  # reveals: tuple[tuple[Array, Array], MLP]
reveal_type(px.grad(has_aux=True)(mse_with_prediction)(model, x, y))  # reveals: tuple[MLP, Array]
reveal_type(mse_grad(model, x, y))  # reveals: MLP
reveal_type(px.jit(px.grad(mse))(model, x, y))  # reveals: MLP
reveal_type(px.grad(critic_loss)(critic, x))  # reveals: Critic
reveal_type(px.grad(pair_loss)((model, critic), x))  # reveals: tuple[MLP, Critic]
reveal_type(px.grad(dict_loss)({"mlp": model, "critic": critic}, x))  # reveals: dict[str, Module]
reveal_type(px.grad(any_loss)(model, x))  # reveals: mypy=Any pyright=MLP
px.grad(any_loss)((model, critic), x)
reveal_type(train_step(model, x, y))  # reveals: tuple[MLP, Array]



def misuse() -> None:  # never called: both checkers must still report each marked line
    px.grad(critic_loss)(model, x)  # error: an MLP for a Critic
    px.grad(mse)(model, "x", y)  # error: a str for an array
    px.grad(mse)((model, critic), x, y)  # error: a tuple where the loss takes one module


trained: MLP = sgd(model, grads, 0.01)
for _ in range(3):
    trained = train_step(trained, x, y)[0]
assert isinstance(grads, MLP) and grads.hidden.shape == (2, 8)
assert float(mse(trained, x, y)) < float(mse(model, x, y))
