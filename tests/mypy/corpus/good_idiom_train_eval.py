"""Train/eval mode switches: eval copies called directly (at top level, in jit, under vmap),
training copies called through px.purecall, BatchNorm statistics returned and kept."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn


class ConvNet(px.Module):
    fc: nn.Linear
    bn: nn.BatchNorm
    drop: nn.Dropout

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.fc = nn.Linear(3, 3, key=k1)
        self.bn = nn.BatchNorm(3)
        self.drop = nn.Dropout(0.5, key=k2)

    def __call__(self, x):
        return self.drop(jax.nn.relu(self.bn(self.fc(x))))


def loss_fn(model: ConvNet, x):
    model, y = px.purecall(model, x)
    return jnp.mean(y**2), model


@jax.jit
def train_step(model: ConvNet, x):
    (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x)
    return px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)), loss


@jax.jit
def evaluate(model: ConvNet, x):
    return px.eval_mode(model)(x)


model = ConvNet(key=jax.random.PRNGKey(0))
x = jnp.ones((4, 3))
model, loss = train_step(model, x)
inference = px.eval_mode(model)
y = inference(x)
y = evaluate(model, x)
ys = jax.vmap(lambda row: inference(row[None]))(x)
model = px.train_mode(inference)
assert float(jnp.abs(model.bn.mean).sum()) > 0 and ys.shape == (4, 1, 3)
