"""Early stopping in a while_loop: the model and a step count in the carry, the condition
reading the loss, the body updating the model with px.value_and_grad and a counter with
px.purecall."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

x, y = jnp.ones((4, 2)), jnp.zeros((4, 2))


def loss_fn(model: Linear):
    return jnp.mean((model(x) - y) ** 2)


def cond(state):
    model, counter, loss = state
    return (loss > 1e-3) & (counter.count < 20)


def body(state):
    model, counter, _ = state
    loss, grads = px.value_and_grad(loss_fn)(model)
    model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads))
    counter, _ = px.purecall(counter, None)
    return model, counter, loss


model = Linear(2, 2, key=jax.random.PRNGKey(0))
model, counter, loss = jax.lax.while_loop(cond, body, (model, Counter(), jnp.array(1.0)))
assert 0 < int(counter.count) <= 20
