"""A whole research script: dropout and batch statistics, an RNN scanned over time, optax, jit, eval mode."""

# runtime: ok
import functools
from typing import Any

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float

import purepax as px


class Dense(px.Module):
    w: Float[Array, "i o"]
    b: Float[Array, " o"]

    def __init__(self, i: int, o: int, *, key: jax.Array):
        self.w = jax.random.normal(key, (i, o)) * 0.1
        self.b = jnp.zeros(o)

    def __call__(self, x):
        return x @ self.w + self.b


class Dropout(px.StateModule):
    key: jax.Array
    rate: float = px.static(default=0.1)

    def __call__(self, x):
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1.0 - self.rate, x.shape)
        return jnp.where(keep, x / (1.0 - self.rate), 0.0)


class RunningMean(px.StateModule):
    mean: jax.Array = px.state(default_factory=lambda: jnp.zeros(4))

    def __call__(self, x):
        if self.training:
            self.mean = 0.9 * self.mean + 0.1 * jnp.mean(x, axis=0)
        return x - self.mean


class Cell(px.Module):
    inp: Dense
    hid: Dense

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.inp = Dense(3, 4, key=k1)
        self.hid = Dense(4, 4, key=k2)

    def __call__(self, h, x):
        h = jnp.tanh(self.inp(x) + self.hid(h))
        return h, h


class Model(px.Module):
    cell: Cell
    drop: Dropout
    norm: RunningMean
    head: Dense

    def __init__(self, *, key):
        k1, k2, k3 = jax.random.split(key, 3)
        self.cell = Cell(key=k1)
        self.drop = Dropout(k2)
        self.norm = RunningMean()
        self.head = Dense(4, 1, key=k3)

    def __call__(self, xs):
        h0 = jnp.zeros((xs.shape[0], 4))

        def body(carry, x):
            cell, h = carry
            h, y = cell(h, x)
            return (cell, h), y

        _, hs = jax.lax.scan(body, (self.cell, h0), jnp.swapaxes(xs, 0, 1))
        h = self.norm(self.drop(hs[-1]))
        return self.head(h)


def loss_fn(model: Model, xs, ys):
    pred = model(xs)
    return jnp.mean((pred - ys) ** 2), model


optimizer = optax.adam(1e-2)


@functools.partial(jax.jit, static_argnums=4)
def train_step(model: Model, opt_state: Any, xs, ys, clip: bool):
    (loss, model), grads = px.value_and_grad(px.pure(loss_fn), has_aux=True)(model, xs, ys)
    updates, opt_state = optimizer.update(grads, opt_state, px.parameters(model))
    if clip:
        updates = jax.tree.map(lambda u: jnp.clip(u, -1.0, 1.0), updates)
    model = px.update_parameters(model, optax.apply_updates(px.parameters(model), updates))
    return model, opt_state, loss


@jax.jit
def eval_step(model: Model, xs, ys):
    model = px.eval_mode(model)
    pred = model(xs)
    return jnp.mean((pred - ys) ** 2)


def main():
    key = jax.random.PRNGKey(0)
    model = px.train_mode(Model(key=key))
    opt_state = optimizer.init(px.parameters(model))
    xs = jax.random.normal(jax.random.fold_in(key, 1), (8, 5, 3))
    ys = jnp.zeros((8, 1))
    losses = []
    for epoch in range(3):
        model, opt_state, loss = train_step(model, opt_state, xs, ys, epoch > 0)
        losses.append(float(loss))
    val = eval_step(model, xs, ys)
    per_example = jax.vmap(lambda x: px.eval_mode(model)(x[None]))(xs)
    return model, losses, val, per_example


model, losses, val, per_example = main()
assert per_example.shape == (8, 1, 1)
print(losses, float(val))
