"""SGD with momentum in scan bodies that keep the model px.purecall updated (its running
mean changes on every call, in an unannotated `__call__`): stepped from the updated model,
returned through a local tuple, directly, or after rebinding the argument's name."""

# runtime: ok
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


def step(model, velocity, x, y):
    (loss, _), grads = px.value_and_grad(mse, has_aux=True)(model, x, y)
    velocity = jax.tree.map(lambda v, g: 0.9 * v + g, velocity, px.parameters(grads))
    params = jax.tree.map(lambda p, v: p - 0.05 * v, px.parameters(model), velocity)
    return params, velocity


def local_tuple(carry, batch):
    model, velocity = carry
    x, y = batch
    new_model, pred = px.purecall(model, x)
    params, velocity = step(model, velocity, x, y)
    model = px.update_parameters(new_model, params)
    new_carry = (model, velocity)
    return new_carry, jnp.mean((pred - y) ** 2)


def same_name(carry, batch):
    model, velocity = carry
    x, y = batch
    model, pred = px.purecall(model, x)
    params, velocity = step(model, velocity, x, y)
    model = px.update_parameters(model, params)
    return (model, velocity), jnp.mean((pred - y) ** 2)


def rebound_from_update(carry: tuple[Regressor, Regressor], batch):
    model, velocity = carry
    x, y = batch
    new_model, pred = px.purecall(model, x)
    params, velocity = step(model, velocity, x, y)
    model = new_model
    model = px.update_parameters(model, params)
    return (model, velocity), jnp.mean((pred - y) ** 2)


def tuple_of_update(carry, batch):
    model, velocity = carry
    x, y = batch
    new_model, pred = px.purecall(model, x)
    params, velocity = step(model, velocity, x, y)
    new_carry = (px.update_parameters(new_model, params), velocity)
    model = px.replace(model)  # a copy of the stale model, not returned
    return new_carry, jnp.mean((pred - y) ** 2)


xs = jax.random.normal(jax.random.PRNGKey(1), (5, 8, 3)) + 2.0
ys = xs.sum(axis=-1, keepdims=True)
for body in (local_tuple, same_name, rebound_from_update, tuple_of_update):
    model = Regressor(key=jax.random.PRNGKey(0))
    velocity = jax.tree.map(jnp.zeros_like, px.parameters(model))
    (model, velocity), losses = jax.lax.scan(body, (model, velocity), (xs, ys))
    assert float(model.norm.mean.sum()) > 1.0, body.__name__  # the running mean moved
