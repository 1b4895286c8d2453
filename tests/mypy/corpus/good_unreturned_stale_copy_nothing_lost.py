"""Scan bodies that drop px.purecall's module and return a functional copy of the one they
were given, where the call changes nothing: an unannotated `__call__` that only reads its
state, and layers that update their statistics only in training mode, run in eval mode.
The plugin cannot prove an update lost, and reports nothing."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px
from purepax import nn


class FrozenNorm(px.Module):
    mean: Float[Array, " d"] = px.state()

    def __call__(self, x):
        centred = x - self.mean
        return centred / (1.0 + jnp.abs(self.mean))


class TrackingNorm(px.Module):
    mean: Float[Array, " d"] = px.state()

    def __call__(self, x):
        if self.training:
            self.mean = 0.9 * self.mean + 0.1 * x.mean(axis=0)
        return x - self.mean


class Net(px.Module):
    weight: Float[Array, "i o"]
    norm: nn.BatchNorm

    def __init__(self, *, key):
        self.weight = jax.random.normal(key, (3, 3))
        self.norm = nn.BatchNorm(3)

    def __call__(self, x):
        return self.norm(x @ self.weight)


def read_only(carry, x):
    norm, velocity = carry
    new_norm, y = px.purecall(norm, x)
    norm = px.replace(norm, mean=norm.mean + velocity)
    new_carry = (norm, velocity)
    return new_carry, y.sum()


def eval_tracking(carry: tuple[TrackingNorm, jax.Array], x):
    norm, velocity = carry
    new_norm, y = px.purecall(norm, x)
    norm = px.replace(norm, mean=norm.mean + velocity)
    return (norm, velocity), y.sum()


def eval_batchnorm(carry, x):
    model, velocity = carry
    new_model, y = px.purecall(model, x)
    model = px.replace(model, weight=model.weight - velocity)
    new_carry = (model, velocity)
    return new_carry, y.sum()


xs = jnp.ones((4, 2, 3))
(norm, _), _ = jax.lax.scan(read_only, (FrozenNorm(jnp.zeros(3)), jnp.full(3, 0.1)), xs)
tracking = px.eval_mode(TrackingNorm(jnp.zeros(3)))
(tracking, _), _ = jax.lax.scan(eval_tracking, (tracking, jnp.full(3, 0.1)), xs)
net = px.eval_mode(Net(key=jax.random.PRNGKey(0)))
(net, _), _ = jax.lax.scan(eval_batchnorm, (net, jnp.zeros((3, 3))), xs)
assert float(tracking.mean.sum()) > 1.0 and float(net.norm.mean.sum()) == 0.0
