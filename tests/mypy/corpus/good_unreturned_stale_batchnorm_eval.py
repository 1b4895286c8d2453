"""A loss drops px.purecall's model, whose BatchNorm updates its statistics only in
training mode: the model here is in eval mode, so nothing is lost, and the plugin (which
cannot see the mode) proves nothing."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn


class Net(px.Module):
    linear: nn.Linear
    norm: nn.BatchNorm

    def __init__(self, *, key):
        self.linear = nn.Linear(3, 3, key=key)
        self.norm = nn.BatchNorm(3)

    def __call__(self, x):
        return self.norm(self.linear(x))


def loss(model: Net, x):
    new_model, out = px.purecall(model, x)
    return jnp.mean(out**2), model


def norm_only(bn, x):
    new_bn, out = px.purecall(bn, x)
    return bn, out


model = px.eval_mode(Net(key=jax.random.PRNGKey(0)))
x = jnp.ones((4, 3))
(value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x)
bn, y = jax.jit(norm_only)(px.eval_mode(nn.BatchNorm(3)), x)
assert float(bn.mean.sum()) == 0.0
