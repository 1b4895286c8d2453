"""A loss written as a lambda, given straight to `px.grad` or `px.value_and_grad`.

Neither checker rejects what the lambda does with its model (`m(x)`): mypy types its
parameters `Any`, and so its gradient; pyright leaves them unknown and still types the
gradient as the model passed in. The same holds with `has_aux=True`, in the decorator
form, under `px.jit`, with `argnums` (where the gradient is `Any` for both) and with a
tuple of models.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array
from typing_extensions import reveal_type

import purepax as px


class MLP(px.Module):
    hidden: Array
    out: Array

    def __init__(self, *, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = jax.random.normal(k1, (2, 8))
        self.out = jax.random.normal(k2, (8, 1))

    def __call__(self, x: Array) -> Array:
        return jax.nn.relu(x @ self.hidden) @ self.out


model = MLP(key=jax.random.key(0))
x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))

loss, grads = px.value_and_grad(lambda m, x, y: jnp.mean((m(x) - y) ** 2))(model, x, y)
reveal_type(loss)  # reveals: mypy=Any pyright=Array
reveal_type(grads)  # reveals: mypy=Any pyright=MLP
reveal_type(px.grad(lambda m, x, y: jnp.mean((m(x) - y) ** 2))(model, x, y))  # reveals: mypy=Any pyright=MLP
with_prediction = px.grad(lambda m, x: (jnp.mean(m(x) ** 2), m(x)), has_aux=True)(model, x)
reveal_type(with_prediction)  # reveals: mypy=Any pyright=tuple[MLP, Unknown]
counted = px.value_and_grad(lambda m, x: (jnp.mean(m(x) ** 2), len(x)), has_aux=True)(model, x)
reveal_type(counted)  # reveals: mypy=Any pyright=tuple[tuple[Array, int], MLP]
decorated = px.grad(has_aux=True)(lambda m, x: (jnp.mean(m(x) ** 2), 1))
reveal_type(decorated(model, x))  # reveals: mypy=Any pyright=tuple[MLP, int]
reveal_type(px.jit(px.grad(lambda m, x: jnp.mean(m(x) ** 2)))(model, x))  # reveals: mypy=Any pyright=MLP
reveal_type(px.grad(lambda x, m: jnp.mean(m(x) ** 2), argnums=1)(x, model))  # reveals: Any
pair = px.grad(lambda ms, x: jnp.mean(ms[0](x) * ms[1](x)))((model, model), x)
reveal_type(pair)  # reveals: mypy=Any pyright=tuple[MLP, MLP]


def misuse() -> None:  # never called: both checkers must still report each marked line
    px.grad(lambda m, x: jnp.mean(m(x)), has_aux=True)  # error: has_aux=True, but no (loss, aux) pair


assert isinstance(grads, MLP) and grads.hidden.shape == (2, 8)
assert isinstance(with_prediction[0], MLP) and with_prediction[1].shape == (4, 1)
assert counted[0][1] == 4
