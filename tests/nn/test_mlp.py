"""nn.MLP: its layers, its numerics against eqx.nn.MLP, dropout, initializers, errors."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
from purepax import nn


def test_depth_hidden_layers_of_width_then_the_output_layer(getkey):
    mlp = nn.MLP(3, 2, 8, 2, key=getkey())
    assert [layer.weight.shape for layer in mlp.layers] == [(3, 8), (8, 8), (8, 2)]
    assert mlp.dropout is None
    single = nn.MLP(3, 2, width=8, depth=0, key=getkey())
    assert [layer.weight.shape for layer in single.layers] == [(3, 2)]
    assert single(jnp.ones((5, 7, 3))).shape == (5, 7, 2)


def test_activations_between_layers_and_after_the_last(getkey):
    mlp = nn.MLP(
        3, 2, 4, 1, activation=jnp.tanh, final_activation=jax.nn.sigmoid, key=getkey()
    )
    x = jax.random.normal(getkey(), (5, 3))
    first, last = mlp.layers
    expected = jax.nn.sigmoid(last(jnp.tanh(first(x))))
    np.testing.assert_allclose(mlp(x), expected, rtol=1e-6)


@pytest.mark.parametrize("use_final_bias", [True, False])
def test_same_as_equinox_with_the_same_weights(getkey, peers, use_final_bias):
    peers.require("equinox")
    ours = nn.MLP(
        4,
        3,
        5,
        2,
        activation=jax.nn.gelu,
        final_activation=jnp.tanh,
        use_final_bias=use_final_bias,
        key=getkey(),
    )
    ours = px.replace(
        ours,
        layers=tuple(
            px.replace(layer, bias=jax.random.normal(getkey(), layer.bias.shape))
            if layer.bias is not None
            else layer
            for layer in ours.layers
        ),
    )
    theirs = eqx.nn.MLP(
        4,
        3,
        5,
        2,
        activation=jax.nn.gelu,
        final_activation=jnp.tanh,
        use_final_bias=use_final_bias,
        key=getkey(),
    )
    theirs = eqx.tree_at(
        lambda m: [layer.weight for layer in m.layers],
        theirs,
        [layer.weight.T for layer in ours.layers],
    )
    theirs = eqx.tree_at(
        lambda m: [layer.bias for layer in m.layers if layer.bias is not None],
        theirs,
        [layer.bias for layer in ours.layers if layer.bias is not None],
    )
    assert (ours.layers[-1].bias is None) == (theirs.layers[-1].bias is None)
    x = jax.random.normal(getkey(), (6, 4))
    np.testing.assert_allclose(ours(x), jax.vmap(theirs)(x), rtol=1e-5, atol=1e-6)


def test_without_biases(getkey):
    mlp = nn.MLP(3, 2, 4, 2, use_bias=False, use_final_bias=False, key=getkey())
    assert all(layer.bias is None for layer in mlp.layers)
    hidden = nn.MLP(3, 2, 4, 2, use_bias=False, key=getkey())
    assert [layer.bias is None for layer in hidden.layers] == [True, True, False]


def test_dropout_after_each_hidden_activation_is_a_mutation_in_training(getkey):
    mlp = nn.MLP(3, 16, 16, 2, dropout=0.5, key=getkey())
    x = jax.random.normal(getkey(), (4, 3))
    with pytest.raises(px.ImmutableModuleError):
        mlp(x)
    trained, y = px.purecall(mlp, x)
    assert not np.array_equal(trained.dropout.key, mlp.dropout.key)
    _, y_again = px.purecall(trained, x)
    assert not np.allclose(y, y_again)
    # Eval mode: read-only, and the same as the MLP without dropout.
    plain = px.replace(mlp, dropout=None)
    np.testing.assert_allclose(px.eval_mode(mlp)(x), plain(x), rtol=1e-6)


def test_kernel_and_bias_initializers_reach_every_layer(getkey):
    mlp = nn.MLP(
        3,
        2,
        4,
        2,
        kernel_init=jax.nn.initializers.ones,
        bias_init=jax.nn.initializers.constant(0.5),
        param_dtype=jnp.bfloat16,
        key=getkey(),
    )
    for layer in mlp.layers:
        assert layer.weight.dtype == jnp.bfloat16 and bool(jnp.all(layer.weight == 1))
        assert bool(jnp.all(layer.bias == 0.5))


def test_trains_under_jit(getkey):
    mlp = nn.MLP(2, 1, 8, 1, key=getkey())
    x = jax.random.normal(getkey(), (16, 2))
    y = x[:, :1] * x[:, 1:]

    @px.jit
    def step(model, x, y):
        loss, grads = px.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
        params = jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
        return px.update_parameters(model, params), loss

    mlp, first = step(mlp, x, y)
    for _ in range(5):
        mlp, loss = step(mlp, x, y)
    assert loss < first


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"depth": -1}, "depth=-1"),
        ({"width": 0}, "width=0"),
        ({"dropout": 1.5}, "dropout=1.5 must be in"),
        ({"activation": "relu"}, "activation='relu' is not callable"),
        ({"kernel_init": 0.02}, "MLP: kernel_init=0.02 is not an initializer"),
    ],
)
def test_bad_arguments_are_refused(getkey, arguments, message):
    options = {"width": 4, "depth": 1, **arguments}
    with pytest.raises(px.ArgumentError, match=message):
        nn.MLP(3, 2, key=getkey(), **options)
