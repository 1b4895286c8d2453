"""nn.Linear and nn.Identity: shapes, initialisation, numerics against Equinox and Flax NNX."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn


def test_fields_shapes_and_formula(getkey):
    layer = nn.Linear(3, 5, key=getkey())
    assert (
        layer.weight.shape == (3, 5)
        and layer.bias is not None
        and layer.bias.shape == (5,)
    )
    assert layer.weight.dtype == jnp.float32
    np.testing.assert_array_equal(layer.bias, jnp.zeros(5))
    x = jax.random.normal(getkey(), (2, 7, 3))
    y = layer(x)
    assert y.shape == (2, 7, 5)
    np.testing.assert_allclose(
        y, jnp.einsum("bti,io->bto", x, layer.weight) + layer.bias, rtol=1e-6, atol=1e-6
    )


def test_without_bias(getkey):
    layer = nn.Linear(3, 5, use_bias=False, key=getkey())
    assert layer.bias is None
    assert px.parameters(layer).bias is None
    x = jax.random.normal(getkey(), (4, 3))
    np.testing.assert_allclose(layer(x), x @ layer.weight, rtol=1e-6)


def test_unbatched_input(getkey):
    layer = nn.Linear(3, 2, key=getkey())
    assert layer(jnp.ones(3)).shape == (2,)


def test_lecun_normal_statistics():
    layer = nn.Linear(400, 300, key=jax.random.key(1))
    w = np.asarray(layer.weight)
    assert abs(w.mean()) < 0.01
    assert w.std() == pytest.approx(1 / np.sqrt(400), rel=0.05)
    # truncated at two standard deviations of the underlying normal
    assert np.abs(w).max() < 2.0 / np.sqrt(400) / 0.87962566103423978 + 1e-6


def test_same_as_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    ours = nn.Linear(6, 4, key=getkey())
    ours = px.replace(ours, bias=jax.random.normal(getkey(), (4,)))
    x = jax.random.normal(getkey(), (3, 6))

    theirs = eqx.nn.Linear(6, 4, key=getkey())
    theirs = eqx.tree_at(
        lambda m: (m.weight, m.bias), theirs, (ours.weight.T, ours.bias)
    )
    np.testing.assert_allclose(ours(x), jax.vmap(theirs)(x), rtol=1e-5, atol=1e-6)

    flax_layer = nnx.Linear(6, 4, rngs=nnx.Rngs(0))
    flax_layer.kernel[...] = ours.weight
    assert flax_layer.bias is not None
    flax_layer.bias[...] = ours.bias
    np.testing.assert_allclose(ours(x), flax_layer(x), rtol=1e-5, atol=1e-6)


def test_dtype_and_param_dtype(getkey):
    layer = nn.Linear(3, 2, dtype=jnp.bfloat16, key=getkey())
    assert layer.weight.dtype == jnp.float32
    assert layer(jnp.ones((1, 3))).dtype == jnp.bfloat16

    follows = nn.Linear(3, 2, key=getkey())
    assert follows(jnp.ones((1, 3), jnp.bfloat16)).dtype == jnp.bfloat16
    assert follows(jnp.ones((1, 3))).dtype == jnp.float32
    assert follows(jnp.ones((1, 3), jnp.int32)).dtype == jnp.float32

    stored = nn.Linear(3, 2, param_dtype=jnp.bfloat16, key=getkey())
    assert (
        stored.weight.dtype == jnp.bfloat16
        and stored.bias is not None
        and stored.bias.dtype == jnp.bfloat16
    )


def test_under_px_jit_and_px_grad(getkey):
    model = nn.Linear(3, 1, key=getkey())
    x, target = jax.random.normal(getkey(), (8, 3)), jax.random.normal(getkey(), (8, 1))

    @px.jit
    def step(
        model: nn.Linear, x: jax.Array, target: jax.Array
    ) -> tuple[jax.Array, nn.Linear]:
        def loss(model: nn.Linear, x: jax.Array, target: jax.Array) -> jax.Array:
            return jnp.mean((model(x) - target) ** 2)

        value, grads = px.value_and_grad(loss)(model, x, target)
        return value, px.update_parameters(
            model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
        )

    def loss_by_hand(w, b):
        return jnp.mean((x @ w + b - target) ** 2)

    gw, gb = jax.grad(loss_by_hand, argnums=(0, 1))(model.weight, model.bias)
    value, new = step(model, x, target)
    np.testing.assert_allclose(value, loss_by_hand(model.weight, model.bias), rtol=1e-5)
    np.testing.assert_allclose(
        new.weight, model.weight - 0.1 * gw, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(new.bias, model.bias - 0.1 * gb, rtol=1e-5, atol=1e-6)
    assert isinstance(new, nn.Linear)


def test_eval_mode_keeps_results(getkey):
    layer = nn.Linear(3, 2, key=getkey())
    x = jnp.ones((2, 3))
    evaluated = px.eval_mode(layer)
    assert layer.training and not evaluated.training
    np.testing.assert_array_equal(evaluated(x), layer(x))


def test_identity():
    identity = nn.Identity()
    x = jnp.arange(3.0)
    assert identity(x) is x
    assert jax.tree.leaves(identity) == []
    assert px.jit(lambda m, x: m(x))(identity, x).shape == (3,)


def test_without_a_mesh_a_sharded_linear_traces_to_its_formula(getkey):
    # The out_sharding of Explicit mesh axes costs nothing elsewhere: the same equations.
    layer = nn.Linear(4, 3, sharding=("model", None), key=getkey())
    x = jnp.ones((2, 4))
    assert str(jax.make_jaxpr(lambda m, x: m(x))(layer, x)) == str(
        jax.make_jaxpr(lambda w, b, x: x @ w + b)(layer.weight, layer.bias, x)
    )
