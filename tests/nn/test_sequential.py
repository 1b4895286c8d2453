"""nn.Sequential and nn.Lambda: order, indexing, slicing, static callables, transforms."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
from purepax import nn


def _mlp(getkey):
    return nn.Sequential(
        nn.Linear(3, 8, key=getkey()), jax.nn.relu, nn.Linear(8, 2, key=getkey())
    )


def test_applies_layers_in_order(getkey):
    mlp = _mlp(getkey)
    x = jax.random.normal(getkey(), (5, 3))
    np.testing.assert_allclose(
        mlp(x), mlp.layers[2](jax.nn.relu(mlp.layers[0](x))), rtol=1e-6
    )
    assert nn.Sequential()(x) is x


def test_layers_is_a_tuple_with_indexing_and_slicing(getkey):
    mlp = _mlp(getkey)
    assert isinstance(mlp.layers, tuple) and len(mlp) == 3
    assert (
        mlp[0] is mlp.layers[0] and mlp[1] is jax.nn.relu and mlp[-1] is mlp.layers[2]
    )
    head = mlp[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    x = jnp.ones((1, 3))
    np.testing.assert_allclose(mlp[2:](head(x)), mlp(x), rtol=1e-6)
    assert list(mlp) == list(mlp.layers)


def test_plain_callables_are_static(getkey):
    mlp = _mlp(getkey)
    leaves = jax.tree.leaves(mlp)
    assert len(leaves) == 4  # two weights and two biases; relu is in the tree structure
    assert all(isinstance(leaf, jax.Array) for leaf in leaves)
    params = px.parameters(mlp)
    assert params[1] is jax.nn.relu
    rebuilt = jax.tree.map(lambda a: a + 1, mlp)
    assert isinstance(rebuilt, nn.Sequential) and rebuilt[1] is jax.nn.relu


def test_lambda_keeps_its_function_static():
    double = nn.Lambda(lambda x: 2 * x)
    assert jax.tree.leaves(double) == []
    np.testing.assert_array_equal(double(jnp.arange(3)), jnp.array([0, 2, 4]))
    with pytest.raises(px.ImmutableModuleError):
        double.fn = abs  # type: ignore[misc]


def test_not_callable_is_refused():
    with pytest.raises(TypeError, match="layer 1 is a int"):
        nn.Sequential(jax.nn.relu, 3)  # type: ignore[arg-type]


def test_trains_under_px_jit_and_px_grad(getkey):
    model = nn.Sequential(
        nn.Linear(2, 16, key=getkey()),
        nn.Lambda(jnp.tanh),
        nn.Identity(),
        nn.Linear(16, 1, key=getkey()),
    )
    x = jax.random.normal(getkey(), (64, 2))
    y = x[:, :1] * x[:, 1:]

    def loss(model: nn.Sequential, x: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.mean((model(x) - y) ** 2)

    @px.jit
    def step(model: nn.Sequential, x: jax.Array, y: jax.Array) -> nn.Sequential:
        grads = px.grad(loss)(model, x, y)
        new = jax.tree.map(lambda p, g: p - 0.2 * g, px.parameters(model), grads)
        return px.update_parameters(model, new)

    first = loss(model, x, y)
    for _ in range(30):
        model = step(model, x, y)
    assert loss(model, x, y) < 0.8 * first


def test_stateful_layers_inside_are_updated_through_purecall(getkey):
    class Count(px.StateModule):
        calls: jax.Array = px.state(default_factory=lambda: jnp.array(0))

        def __call__(self, x: jax.Array) -> jax.Array:
            self.calls = self.calls + 1
            return x

    model = nn.Sequential(nn.Linear(2, 2, key=getkey()), Count())
    model, _ = px.jit(lambda m, x: px.purecall(m, x))(model, jnp.ones((1, 2)))
    assert int(model[1].calls) == 1


def test_eval_mode_reaches_every_layer(getkey):
    model = px.eval_mode(_mlp(getkey))
    assert not model.training and not model[0].training and not model[2].training
    x = jnp.ones((1, 3))
    np.testing.assert_array_equal(model(x), px.train_mode(model)(x))
