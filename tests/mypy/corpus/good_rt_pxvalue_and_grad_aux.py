"""px.value_and_grad with has_aux, the model updated via px.purecall inside the loss."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked


def loss_fn(model: Tracked, x):
    model, y = px.purecall(model, x)
    return jnp.sum(y**2), model


@px.jit
def step(model: Tracked, x):
    (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x)
    new_params = jax.tree.map(lambda p, g: p - 0.01 * g, px.parameters(model), grads)
    return px.update_parameters(model, new_params), loss


m = Tracked(key=jax.random.PRNGKey(1))
for _ in range(2):
    m, loss = step(m, jnp.ones(2))
assert int(m.counter.count) == 2
