"""optax masks and weight decay built with jax.tree.map over px.parameters(model) (bool
leaves, the module's structure), a label function, and px.optim.Optimizer with trainable."""

# runtime: ok
import jax
import jax.numpy as jnp
import optax

import purepax as px
from purepax.optim import Optimizer
from corpus_defs import Linear


class Net(px.Module):
    body: Linear
    head: Linear

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.body = Linear(2, 4, key=k1)
        self.head = Linear(4, 1, key=k2)

    def __call__(self, x):
        return self.head(jax.nn.relu(self.body(x)))


def loss_fn(model: Net, x, y):
    return jnp.mean((model(x) - y) ** 2)


model = Net(key=jax.random.PRNGKey(0))
decay_mask = jax.tree.map(lambda p: p.ndim > 1, px.parameters(model))
tx = optax.chain(optax.masked(optax.add_decayed_weights(1e-4), decay_mask), optax.sgd(1e-2))
opt_state = tx.init(px.parameters(model))


@jax.jit
def step(model: Net, opt_state, x, y):
    grads = px.grad(loss_fn)(model, x, y)
    updates, opt_state = tx.update(grads, opt_state, px.parameters(model))
    model = px.update_parameters(model, optax.apply_updates(px.parameters(model), updates))
    return model, opt_state


x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))
for _ in range(2):
    model, opt_state = step(model, opt_state, x, y)

opt = Optimizer(optax.adam(1e-3), model, trainable=lambda path, leaf: path.startswith("head."))


@jax.jit
def opt_step(model: Net, opt: Optimizer, x, y):
    grads = px.grad(loss_fn)(model, x, y)
    model, opt = opt.apply_gradients(model, grads)
    return model, opt


model, opt = opt_step(model, opt, x, y)
labels = jax.tree.map(lambda p: "decay" if p.ndim > 1 else "none", px.parameters(model))
assert isinstance(labels, Net)
