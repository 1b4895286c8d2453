"""A realistic training loop: jax.jit step, jax.value_and_grad with has_aux over px.pure, tree.map SGD."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


class Calls(px.StateModule):
    n: jax.Array = px.state(default_factory=lambda: jnp.zeros(()))

    def __call__(self, x):
        self.n = self.n + 1.0
        return x


class MLP(px.Module):
    l1: Linear
    l2: Linear
    steps: Calls

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.l1 = Linear(2, 4, key=k1)
        self.l2 = Linear(4, 1, key=k2)
        self.steps = Calls()

    def __call__(self, x):
        self.steps(x)
        return self.l2(jax.nn.relu(self.l1(x)))


def loss_fn(model, x, y):
    pred = model(x)
    return jnp.mean((pred - y) ** 2), model


@jax.jit
def train_step(model, x, y, lr):
    (loss, model), grads = jax.value_and_grad(px.pure(loss_fn), has_aux=True)(model, x, y)
    params = jax.tree.map(lambda p, g: p - lr * g, px.parameters(model), px.parameters(grads))
    model = px.update_parameters(model, params)
    return model, loss


model = MLP(key=jax.random.PRNGKey(0))
xs, ys = jnp.ones((8, 2)), jnp.zeros((8, 1))
for epoch in range(3):
    model, loss = train_step(model, xs, ys, 0.1)
assert int(model.steps.n) == 3
print(float(loss))
