"""SGD with momentum in a scan body: the model's running mean (updated on every call by
an unannotated `__call__`) comes back from px.purecall as `new_model`, which the body
never uses; it steps the stale model and returns that copy through a local tuple, so the
statistics never move."""

# runtime: silent
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class RunningNorm(px.Module):
    mean: Float[Array, " d"] = px.state()

    def __call__(self, x):
        self.mean = 0.9 * self.mean + 0.1 * x.mean(axis=0)
        return x - self.mean


class Regressor(px.Module):
    weight: Float[Array, "i o"]
    norm: RunningNorm

    def __init__(self, *, key):
        self.weight = jax.random.normal(key, (3, 1)) / 3**0.5
        self.norm = RunningNorm(jnp.zeros(3))

    def __call__(self, x):
        return self.norm(x) @ self.weight


def mse(model: Regressor, x, y):
    new_model, pred = px.purecall(model, x)
    return jnp.mean((pred - y) ** 2), new_model


def body(carry, batch):
    model, velocity = carry
    x, y = batch
    new_model, pred = px.purecall(model, x)
    loss = jnp.mean((pred - y) ** 2)
    (_, _), grads = px.value_and_grad(mse, has_aux=True)(model, x, y)
    velocity = jax.tree.map(lambda v, g: 0.9 * v + g, velocity, px.parameters(grads))
    params = jax.tree.map(lambda p, v: p - 0.05 * v, px.parameters(model), velocity)
    model = px.update_parameters(model, params)
    new_carry = (model, velocity)
    return new_carry, loss  # E: purepax-unreturned


model = Regressor(key=jax.random.PRNGKey(0))
velocity = jax.tree.map(jnp.zeros_like, px.parameters(model))
xs = jax.random.normal(jax.random.PRNGKey(1), (5, 8, 3)) + 2.0
ys = xs.sum(axis=-1, keepdims=True)
(model, velocity), losses = jax.lax.scan(body, (model, velocity), (xs, ys))
assert float(jnp.abs(model.norm.mean).sum()) == 0.0  # the running mean was lost
