"""Functional helpers: parameters, update_parameters, replace, train_mode, eval_mode."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Linear
from jaxtyping import Array, Float, Int

import purepax as px


class Norm(px.Module):
    scale: Float[Array, "n"]
    mean: Float[Array, "n"] = px.state()
    eps: float = 1e-5


class Counter(px.StateModule):
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    step: Float[Array, ""] = px.param(default_factory=lambda: jnp.array(1.0))


class Model(px.Module):
    layers: tuple[Linear, ...]
    norm: Norm
    counter: Counter
    extras: dict[str, Any]
    name: str = "model"


def _model(getkey):
    def linear(i, o):
        return Linear(
            jax.random.normal(getkey(), (i, o)), jax.random.normal(getkey(), (o,))
        )

    return Model(
        layers=(linear(2, 3), linear(3, 4)),
        norm=Norm(jnp.ones(4), jnp.zeros(4)),
        counter=Counter(),
        extras={"head": linear(4, 1)},
    )


def _modules(tree):
    is_module = lambda x: isinstance(x, px.Module)  # noqa: E731
    out = []

    def visit(m):
        out.append(m)
        for leaf in jax.tree_util.tree_leaves(
            [getattr(m, f.name) for f in dataclasses.fields(m)], is_leaf=is_module
        ):
            if is_module(leaf):
                visit(leaf)

    visit(tree)
    return out


# --- parameters --------------------------------------------------------------------------


def test_parameters_same_type_state_is_none(getkey):
    model = _model(getkey)
    params = px.parameters(model)
    assert type(params) is Model
    assert type(params.norm) is Norm and type(params.counter) is Counter
    assert params.norm.mean is None
    assert params.norm.scale is model.norm.scale
    assert params.counter.count is None
    assert params.counter.step is model.counter.step
    assert params.layers[1].weight is model.layers[1].weight
    assert params.extras["head"].bias is model.extras["head"].bias
    assert params.name == "model"


def test_parameters_leaves(getkey):
    model = _model(getkey)
    params = px.parameters(model)
    n_state = 2  # norm.mean and counter.count
    assert (
        len(jax.tree_util.tree_leaves(params))
        == len(jax.tree_util.tree_leaves(model)) - n_state
    )


def test_parameters_does_not_change_model(getkey):
    model = _model(getkey)
    px.parameters(model)
    assert model.norm.mean is not None
    assert model.counter.count is not None


def test_parameters_of_state_module_only_explicit_params():
    class OnlyState(px.StateModule):
        a: jax.Array
        b: jax.Array

    params = px.parameters(OnlyState(jnp.ones(1), jnp.ones(2)))
    assert jax.tree_util.tree_leaves(params) == []


def test_parameters_usable_with_tree_map_and_grad(getkey):
    model = _model(getkey)

    def loss(params, x):
        model_ = px.update_parameters(model, params)
        for layer in model_.layers:
            x = layer(x)
        return jnp.sum(x * model_.norm.scale)

    grads = jax.grad(loss)(px.parameters(model), jnp.ones(2))
    assert type(grads) is Model
    assert grads.layers[0].weight.shape == (2, 3)
    assert grads.norm.mean is None


# --- update_parameters -------------------------------------------------------------------


def test_update_parameters_round_trip(getkey):
    model = _model(getkey)
    same = px.update_parameters(model, px.parameters(model))
    for a, b in zip(jax.tree_util.tree_leaves(model), jax.tree_util.tree_leaves(same)):
        assert a is b
    assert jax.tree_util.tree_structure(same) == jax.tree_util.tree_structure(model)


def test_update_parameters_applies_new_values_keeps_state(getkey):
    model = _model(getkey)
    params = jax.tree.map(lambda p: p + 1.0, px.parameters(model))
    new = px.update_parameters(model, params)
    np.testing.assert_allclose(new.layers[0].weight, model.layers[0].weight + 1.0)
    np.testing.assert_allclose(new.norm.scale, model.norm.scale + 1.0)
    np.testing.assert_allclose(new.counter.step, model.counter.step + 1.0)
    assert new.norm.mean is model.norm.mean
    assert new.counter.count is model.counter.count
    # the input model is unchanged
    assert float(model.norm.scale[0]) == 1.0


def test_update_parameters_none_keeps_parameter(getkey):
    model = _model(getkey)
    partial = _with_none(jax.tree.map(lambda p: p * 0.0, px.parameters(model)))
    new = px.update_parameters(model, partial)
    assert new.layers[0].weight is model.layers[0].weight  # None: kept
    np.testing.assert_array_equal(new.layers[0].bias, jnp.zeros(3))  # given: replaced


def _with_none(params):
    """`params` with `layers[0].weight` set to None (a partial update)."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(
        params, is_leaf=lambda x: x is None
    )
    keys = [jax.tree_util.keystr(path) for path, _ in leaves]
    index = keys.index(".layers[0].weight")
    values = [leaf for _, leaf in leaves]
    values[index] = None
    return jax.tree_util.tree_unflatten(treedef, values)


def test_update_parameters_shape_mismatch(getkey):
    model = _model(getkey)
    bad = jax.tree.map(lambda p: p[None], px.parameters(model))
    with pytest.raises(px.PurepaxError, match="shape"):
        px.update_parameters(model, bad)


def test_update_parameters_wrong_structure(getkey):
    model = _model(getkey)
    with pytest.raises(px.PurepaxError):
        px.update_parameters(model, px.parameters(model.layers[0]))  # type: ignore[arg-type]


def test_update_parameters_inside_jit(getkey):
    model = _model(getkey)

    @jax.jit
    def sgd(model, grads):
        params = px.parameters(model)
        return px.update_parameters(
            model, jax.tree.map(lambda p, g: p - 0.5 * g, params, grads)
        )

    grads = jax.tree.map(jnp.ones_like, px.parameters(model))
    new = sgd(model, grads)
    np.testing.assert_allclose(new.layers[1].bias, model.layers[1].bias - 0.5)
    assert new.counter.count is not None


# --- replace -----------------------------------------------------------------------------


def test_replace_returns_copy():
    layer = Linear(jnp.ones((2, 3)), jnp.zeros(3))
    new = px.replace(layer, bias=jnp.ones(3))
    assert new is not layer
    np.testing.assert_array_equal(new.bias, jnp.ones(3))
    np.testing.assert_array_equal(layer.bias, jnp.zeros(3))
    assert new.weight is layer.weight


def test_replace_result_is_immutable():
    new = px.replace(Linear(jnp.ones((2, 3)), jnp.zeros(3)), bias=jnp.ones(3))
    with pytest.raises(px.ImmutableModuleError):
        new.bias = jnp.zeros(3)


def test_replace_unknown_field():
    layer = Linear(jnp.ones((2, 3)), jnp.zeros(3))
    with pytest.raises(px.PurepaxError, match="missing_field"):
        px.replace(layer, missing_field=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"bias": jnp.zeros(7)},  # "o" is 3 by weight
        {"weight": jnp.ones(3)},  # rank
        {"bias": "zeros"},  # not an array
    ],
    ids=["bound-dimension", "rank", "role"],
)
def test_replace_checks(fields):
    layer = Linear(jnp.ones((2, 3)), jnp.zeros(3))
    with pytest.raises(px.PurepaxError):
        px.replace(layer, **fields)


def test_replace_static_refused_for_array():
    norm = Norm(jnp.ones(2), jnp.zeros(2))
    with pytest.raises(px.PurepaxError):
        px.replace(norm, eps=jnp.ones(1))


def test_replace_shares_static_values():
    class M(px.Module):
        w: jax.Array
        cfg: tuple = px.static(default=("a", ("b", 1)))

    m = M(jnp.ones(1), cfg=("x", ("y", 2)))
    assert px.replace(m, w=jnp.zeros(1)).cfg is m.cfg


def test_replace_freezes_containers():
    class M(px.Module):
        layers: tuple[Linear, ...]

    m = M((Linear(jnp.ones((1, 1)), jnp.ones(1)),))
    new = px.replace(m, layers=[Linear(jnp.ones((1, 1)), jnp.ones(1))] * 1)
    assert isinstance(new.layers, tuple)


def test_replace_refuses_shared_module():
    class Two(px.Module):
        a: Linear
        b: Linear

    t = Two(
        Linear(jnp.ones((1, 1)), jnp.ones(1)), Linear(jnp.ones((1, 1)), jnp.ones(1))
    )
    with pytest.raises(px.PurepaxError):
        px.replace(t, b=t.a)


# --- train_mode / eval_mode --------------------------------------------------------------


def test_eval_mode_whole_tree(getkey):
    model = _model(getkey)
    evaluated = px.eval_mode(model)
    assert all(m.training is False for m in _modules(evaluated))
    assert all(m.training is True for m in _modules(model))  # input unchanged
    assert len(_modules(evaluated)) == 6


def test_train_mode_whole_tree(getkey):
    evaluated = px.eval_mode(_model(getkey))
    trained = px.train_mode(evaluated)
    assert all(m.training is True for m in _modules(trained))
    assert all(m.training is False for m in _modules(evaluated))


def test_modes_keep_arrays(getkey):
    model = _model(getkey)
    evaluated = px.eval_mode(model)
    for a, b in zip(
        jax.tree_util.tree_leaves(model), jax.tree_util.tree_leaves(evaluated)
    ):
        assert a is b


def test_modes_change_tree_structure(getkey):
    model = _model(getkey)
    assert jax.tree_util.tree_structure(
        px.eval_mode(model)
    ) != jax.tree_util.tree_structure(model)
    assert jax.tree_util.tree_structure(
        px.train_mode(px.eval_mode(model))
    ) == jax.tree_util.tree_structure(model)


def test_training_flag_visible_inside_jit(getkey):
    @jax.jit
    def flags(m):
        return jnp.array([m.training, m.layers[0].training])

    model = _model(getkey)
    np.testing.assert_array_equal(flags(model), [True, True])
    np.testing.assert_array_equal(flags(px.eval_mode(model)), [False, False])


@pytest.mark.parametrize(
    "helper",
    [px.parameters, px.train_mode, px.eval_mode],
    ids=["parameters", "train", "eval"],
)
def test_helpers_refuse_non_modules(helper):
    with pytest.raises(TypeError):
        helper({"w": jnp.ones(1)})  # type: ignore[arg-type]


def test_update_parameters_none_for_a_whole_submodule_keeps_it():
    class Two(px.Module):
        a: Linear
        b: Linear | None

    model = Two(
        Linear(jnp.ones((2, 2)), jnp.zeros(2)), Linear(jnp.ones((2, 2)), jnp.zeros(2))
    )
    params = px.parameters(model)
    partial = px.replace(params, b=None)
    doubled = jax.tree.map(lambda p: 2 * p, partial)
    out = px.update_parameters(model, doubled)
    np.testing.assert_array_equal(out.a.weight, 2 * model.a.weight)
    assert out.b is model.b
