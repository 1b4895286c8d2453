"""jax.lax.scan with the model (and optimizer state) in the carry: a whole epoch as a scan,
the loss wrapped with px.pure, a recurrent cell whose state is a module."""

# runtime: ok
import jax
import jax.numpy as jnp
import optax

import purepax as px
from corpus_defs import Counter, Linear, Tracked

tx = optax.adam(1e-2)


def loss_fn(model: Tracked, x):
    y = model(x)
    return jnp.sum(y**2), model


def train_epoch(model: Tracked, opt_state, xs):
    def body(carry, x):
        model, opt_state = carry
        (loss, model), grads = px.value_and_grad(px.pure(loss_fn), has_aux=True)(model, x)
        updates, opt_state = tx.update(grads, opt_state, px.parameters(model))
        model = px.update_parameters(model, optax.apply_updates(px.parameters(model), updates))
        return (model, opt_state), loss

    (model, opt_state), losses = jax.lax.scan(body, (model, opt_state), xs)
    return model, opt_state, losses


def count_all(c: Counter, xs):
    def body(carry, x):
        c, total = carry
        c, y = px.purecall(c, x)
        return (c, total + y), y

    (c, total), ys = jax.lax.scan(body, (c, 0.0), xs)
    return c, total


model = Tracked(key=jax.random.PRNGKey(0))
opt_state = tx.init(px.parameters(model))
model, opt_state, losses = jax.jit(train_epoch)(model, opt_state, jnp.ones((4, 2)))
c, total = jax.jit(count_all)(Counter(), jnp.arange(3.0))
assert int(model.counter.count) == 4 and int(c.count) == 3
