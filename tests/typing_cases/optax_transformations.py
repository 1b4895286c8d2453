"""Every optax transformation that works with `Optimizer` at run time type-checks as its `tx`.

`optax.GradientTransformation` and `GradientTransformationExtraArgs` (what `optax.chain`,
`optax.multi_transform` and `optax.inject_hyperparams(...)(...)` return) hold `init` and
`update` as fields; `optax.MultiSteps` is a class with them as methods. pyright reads
optax's own annotations (mypy sees `Any`: optax ships no `py.typed`), so pyright is the
checker that refused `optax.MultiSteps` when `tx` was typed `optax.GradientTransformation`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from jax import Array
from typing_extensions import reveal_type

import purepax as px
from purepax.optim import Optimizer


class MLP(px.Module):
    hidden: Array
    out: Array

    def __init__(self, *, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = jax.random.normal(k1, (2, 8)) / 2**0.5
        self.out = jax.random.normal(k2, (8, 1)) / 8**0.5

    def __call__(self, x: Array) -> Array:
        return jax.nn.relu(x @ self.hidden) @ self.out


def mse(model: px.Module, x: Array, y: Array) -> Array:
    return jnp.mean((model(x) - y) ** 2)


model = MLP(key=jax.random.key(0))
x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))

transformations = [
    optax.sgd(0.1),
    optax.adamw(1e-2),
    optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-2)),
    optax.inject_hyperparams(optax.adam)(learning_rate=1e-2),
    optax.multi_transform({"adam": optax.adam(1e-2)}, lambda params: jax.tree.map(lambda _: "adam", params)),
    optax.masked(optax.adam(1e-2), jax.tree.map(lambda _: True, model)),
    optax.MultiSteps(optax.adam(1e-2), every_k_schedule=2).gradient_transformation(),
]
opts = [Optimizer(tx, model) for tx in transformations]
opts.append(Optimizer(optax.MultiSteps(optax.adam(1e-2), every_k_schedule=2), model))

for opt in opts:
    trained, opt = opt.apply_gradients(model, px.grad(mse)(model, x, y))
    trained, opt = opt.apply_gradients(trained, px.grad(mse)(trained, x, y))
    assert float(mse(trained, x, y)) < float(mse(model, x, y))

reveal_type(opts[-1].apply_gradients(model, px.grad(mse)(model, x, y)))  # reveals: tuple[MLP, Optimizer]


def misuse() -> None:  # never called: both checkers must still report the marked line
    Optimizer(0.1, model)  # error: a learning rate, not a transformation
