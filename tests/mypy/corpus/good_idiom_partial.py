"""functools.partial binding configuration (numbers, strings, optimizers, functions),
partial(jax.jit, ...) decorators, a partial body given to scan with the model as carry."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp
import optax

import purepax as px
from corpus_defs import Counter, Linear


def loss_fn(model: Linear, x, y, *, reduction="mean"):
    err = (model(x) - y) ** 2
    return jnp.mean(err) if reduction == "mean" else jnp.sum(err)


@functools.partial(jax.jit, static_argnames=("reduction",))
def step(model: Linear, x, y, lr, reduction="mean"):
    grads = px.grad(functools.partial(loss_fn, reduction=reduction))(model, x, y)
    return px.update_parameters(model, jax.tree.map(lambda p, g: p - lr * g, px.parameters(model), grads))


@functools.partial(px.jit, static_argnums=(3,))
def opt_step(model, opt_state, batch, tx):
    x, y = batch
    grads = px.grad(loss_fn)(model, x, y)
    updates, opt_state = tx.update(grads, opt_state)
    return px.update_parameters(model, optax.apply_updates(px.parameters(model), updates)), opt_state


def body(c: Counter, x, scale):
    c, y = px.purecall(c, x * scale)
    return c, y


model = Linear(2, 2, key=jax.random.PRNGKey(0))
x, y = jnp.ones((4, 2)), jnp.zeros((4, 2))
model = step(model, x, y, 0.1, reduction="sum")
tx = optax.sgd(0.1)
model, opt_state = opt_step(model, tx.init(px.parameters(model)), (x, y), tx)
c, ys = jax.lax.scan(functools.partial(body, scale=2.0), Counter(), jnp.arange(3.0))
act = jax.jit(functools.partial(jax.nn.gelu, approximate=True))
apply = jax.jit(functools.partial(loss_fn, reduction="sum"))
assert int(c.count) == 3 and apply(model, x, y).shape == ()
