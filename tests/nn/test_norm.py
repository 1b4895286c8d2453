"""nn.LayerNorm, nn.RMSNorm, nn.GroupNorm, nn.BatchNorm: formulas, Equinox and Flax NNX, modes."""

from __future__ import annotations

import contextlib

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn


def normalise(x, axes, eps):
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.var(x, axis=axes, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps)


def randomise_affine(norm, getkey):
    """The norm with random scale and bias, so the affine part is tested too."""
    return px.replace(
        norm,
        scale=jax.random.normal(getkey(), norm.scale.shape),
        bias=jax.random.normal(getkey(), norm.bias.shape),
    )


# --- LayerNorm ------------------------------------------------------------------------------


def test_layer_norm_fields_and_defaults():
    norm = nn.LayerNorm(4)
    assert norm.shape == (4,) and norm.eps == 1e-5
    np.testing.assert_array_equal(norm.scale, jnp.ones(4))
    np.testing.assert_array_equal(norm.bias, jnp.zeros(4))
    assert norm.scale.dtype == jnp.float32
    bare = nn.LayerNorm((2, 3), use_scale=False, use_bias=False)
    assert bare.scale is None and bare.bias is None
    assert px.parameters(nn.LayerNorm(4)).scale is not None


@pytest.mark.parametrize("shape", [4, (3, 4)])
def test_layer_norm_formula(getkey, shape):
    norm = randomise_affine(nn.LayerNorm(shape), getkey)
    dims = (shape,) if isinstance(shape, int) else shape
    x = 3 + 2 * jax.random.normal(getkey(), (2, 5, *dims))
    axes = tuple(range(-len(dims), 0))
    want = normalise(x, axes, 1e-5) * norm.scale + norm.bias
    np.testing.assert_allclose(norm(x), want, rtol=1e-5, atol=1e-5)


def test_layer_norm_without_affine_is_plain_normalisation(getkey):
    x = jax.random.normal(getkey(), (3, 6))
    np.testing.assert_allclose(
        nn.LayerNorm(6, use_scale=False, use_bias=False, eps=1e-3)(x),
        normalise(x, -1, 1e-3),
        rtol=1e-5,
        atol=1e-6,
    )


def test_layer_norm_matches_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    norm = randomise_affine(nn.LayerNorm(6), getkey)
    x = jax.random.normal(getkey(), (4, 6))
    ours = norm(x)
    theirs = eqx.tree_at(
        lambda m: (m.weight, m.bias), eqx.nn.LayerNorm(6), (norm.scale, norm.bias)
    )
    np.testing.assert_allclose(ours, jax.vmap(theirs)(x), rtol=1e-5, atol=1e-5)
    flax_norm = nnx.LayerNorm(6, epsilon=1e-5, rngs=nnx.Rngs(0))
    flax_norm.scale[...] = norm.scale
    flax_norm.bias[...] = norm.bias
    np.testing.assert_allclose(ours, flax_norm(x), rtol=1e-5, atol=1e-5)


def test_layer_norm_wrong_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"trailing shape \(4,\)"):
        nn.LayerNorm(4)(jnp.ones((2, 3)))


# --- RMSNorm --------------------------------------------------------------------------------


def test_rms_norm_formula_and_fields(getkey):
    norm = nn.RMSNorm(5)
    assert norm.eps == 1e-6 and norm.bias is None
    np.testing.assert_array_equal(norm.scale, jnp.ones(5))
    norm = px.replace(norm, scale=jax.random.normal(getkey(), (5,)))
    x = jax.random.normal(getkey(), (3, 5))
    want = x / jnp.sqrt(jnp.mean(x**2, axis=-1, keepdims=True) + 1e-6) * norm.scale
    np.testing.assert_allclose(norm(x), want, rtol=1e-5, atol=1e-6)
    biased = nn.RMSNorm((2, 5), use_bias=True)
    assert biased.bias is not None and biased.bias.shape == (2, 5)


def test_rms_norm_matches_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    norm = px.replace(nn.RMSNorm(6), scale=jax.random.normal(getkey(), (6,)))
    x = jax.random.normal(getkey(), (4, 6))
    theirs = eqx.tree_at(
        lambda m: m.weight, eqx.nn.RMSNorm(6, eps=1e-6, use_bias=False), norm.scale
    )
    np.testing.assert_allclose(norm(x), jax.vmap(theirs)(x), rtol=1e-5, atol=1e-5)
    flax_norm = nnx.RMSNorm(6, epsilon=1e-6, rngs=nnx.Rngs(0))
    flax_norm.scale[...] = norm.scale
    np.testing.assert_allclose(norm(x), flax_norm(x), rtol=1e-5, atol=1e-5)


# --- GroupNorm ------------------------------------------------------------------------------


def test_group_norm_formula(getkey):
    norm = randomise_affine(nn.GroupNorm(3, 6), getkey)
    x = jax.random.normal(getkey(), (2, 4, 5, 6))
    grouped = x.reshape(
        2, 4, 5, 3, 2
    )  # contiguous channels: group g holds channels 2g, 2g+1
    want = normalise(grouped, (1, 2, 4), 1e-5).reshape(x.shape) * norm.scale + norm.bias
    np.testing.assert_allclose(norm(x), want, rtol=1e-5, atol=1e-5)


def test_group_norm_matches_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    norm = randomise_affine(nn.GroupNorm(2, 4), getkey)
    x = jax.random.normal(getkey(), (3, 5, 4))
    ours = norm(x)
    theirs = eqx.tree_at(
        lambda m: (m.weight, m.bias), eqx.nn.GroupNorm(2, 4), (norm.scale, norm.bias)
    )
    channels_first = jax.vmap(theirs)(jnp.swapaxes(x, 1, 2))
    np.testing.assert_allclose(
        ours, jnp.swapaxes(channels_first, 1, 2), rtol=1e-5, atol=1e-5
    )
    flax_norm = nnx.GroupNorm(4, num_groups=2, epsilon=1e-5, rngs=nnx.Rngs(0))
    flax_norm.scale[...] = norm.scale
    flax_norm.bias[...] = norm.bias
    np.testing.assert_allclose(ours, flax_norm(x), rtol=1e-5, atol=1e-5)


# --- the hand-written derivative of LayerNorm and GroupNorm ----------------------------------


@contextlib.contextmanager
def _float64():
    """64-bit floats on (`jax.enable_x64` is not in every JAX this project supports)."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


def _differentiate(loss, x):
    """Reverse, forward and second-order derivatives of a scalar loss, and reverse under
    jit, vmap and remat: every way a user can differentiate through a norm."""
    small = x[:1]
    return {
        "grad": jax.grad(loss)(x),
        "jacfwd": jax.jacfwd(loss)(x),
        "hessian": jax.hessian(loss)(small),
        "jit+remat": jax.jit(jax.grad(jax.checkpoint(loss)))(x),
        "vmap": jax.vmap(jax.grad(loss))(jnp.stack([x, 2 * x - 1])),
    }


@pytest.mark.parametrize(
    "make, formula",
    [
        (lambda: nn.LayerNorm(7), lambda x: normalise(x, (-1,), 1e-5)),
        (lambda: nn.LayerNorm((5, 7)), lambda x: normalise(x, (-2, -1), 1e-5)),
        (
            lambda: nn.GroupNorm(7, 7),
            lambda x: normalise(x, (1,), 1e-5),
        ),  # one channel a group: over time
    ],
    ids=["layer_norm", "layer_norm_2d", "group_norm"],
)
def test_norm_derivatives_equal_the_formulas_in_every_mode(getkey, make, formula):
    # The norm's derivative is written by hand (a custom JVP that keeps less for the backward
    # pass); in float64 every derivative must equal that of the formula op by op.
    with _float64():
        norm = make()
        x = (3 * jax.random.normal(getkey(), (3, 5, 7)) + 1).astype(jnp.float64)
        weights = jax.random.normal(getkey(), x.shape).astype(jnp.float64)
        ours = _differentiate(
            lambda x: jnp.sum(jnp.sin(norm(x)) * weights[: x.shape[0]]), x
        )
        want = _differentiate(
            lambda x: jnp.sum(jnp.sin(formula(x)) * weights[: x.shape[0]]), x
        )
    for how in ours:
        np.testing.assert_allclose(
            ours[how], want[how], rtol=1e-10, atol=1e-12, err_msg=how
        )


def test_group_norm_refuses_groups_that_do_not_divide():
    with pytest.raises(ValueError, match="divide"):
        nn.GroupNorm(4, 6)


# --- BatchNorm ------------------------------------------------------------------------------


def test_batch_norm_fields():
    bn = nn.BatchNorm(3)
    assert bn.momentum == 0.99 and bn.eps == 1e-5
    np.testing.assert_array_equal(bn.mean, jnp.zeros(3))
    np.testing.assert_array_equal(bn.var, jnp.ones(3))
    params = px.parameters(bn)
    assert params.mean is None and params.var is None  # state, not trained
    assert params.scale is not None and params.bias is not None


def test_batch_norm_training_uses_batch_statistics_and_updates_running_ones(getkey):
    bn = randomise_affine(nn.BatchNorm(4, momentum=0.9), getkey)
    x = 2 + 3 * jax.random.normal(getkey(), (5, 6, 4))
    new, y = px.purecall(bn, x)
    want = normalise(x, (0, 1), 1e-5) * bn.scale + bn.bias
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        new.mean, 0.9 * bn.mean + 0.1 * jnp.mean(x, axis=(0, 1)), rtol=1e-5
    )
    np.testing.assert_allclose(
        new.var, 0.9 * bn.var + 0.1 * jnp.var(x, axis=(0, 1)), rtol=1e-5
    )
    np.testing.assert_array_equal(
        bn.mean, jnp.zeros(4)
    )  # the caller's module is unchanged


def test_batch_norm_eval_uses_running_statistics_and_is_read_only(getkey):
    bn = px.replace(
        nn.BatchNorm(3),
        mean=jnp.array([1.0, 2.0, 3.0]),
        var=jnp.array([4.0, 1.0, 0.25]),
    )
    bn = px.eval_mode(bn)
    x = jax.random.normal(getkey(), (7, 3))
    y = bn(x)  # no px.purecall needed
    np.testing.assert_allclose(
        y, (x - bn.mean) / jnp.sqrt(bn.var + 1e-5), rtol=1e-5, atol=1e-6
    )
    same, y2 = px.purecall(bn, x)
    np.testing.assert_array_equal(same.mean, bn.mean)
    np.testing.assert_array_equal(same.var, bn.var)
    np.testing.assert_array_equal(y, y2)


def test_batch_norm_matches_flax_nnx_train_and_eval(getkey, peers):
    peers.require("flax")
    bn = randomise_affine(nn.BatchNorm(4), getkey)
    theirs = nnx.BatchNorm(4, rngs=nnx.Rngs(0))
    theirs.scale[...] = bn.scale
    theirs.bias[...] = bn.bias
    for _ in range(3):
        x = 1 + 2 * jax.random.normal(getkey(), (8, 3, 4))
        bn, ours = px.purecall(bn, x)
        np.testing.assert_allclose(ours, theirs(x), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(bn.mean, theirs.mean[...], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn.var, theirs.var[...], rtol=1e-5, atol=1e-6)
    x = jax.random.normal(getkey(), (5, 4))
    theirs.eval()
    np.testing.assert_allclose(px.eval_mode(bn)(x), theirs(x), rtol=1e-5, atol=1e-5)


def test_batch_norm_training_matches_equinox_batch_mode(getkey, peers):
    peers.require("equinox")
    """Equinox's `mode="batch"` normalises with batch statistics in training as we do, and
    keeps an exponential average of the batch means with the same momentum rule."""
    bn = randomise_affine(nn.BatchNorm(4), getkey)
    theirs = eqx.tree_at(
        lambda m: (m.weight, m.bias),
        eqx.nn.BatchNorm(4, axis_name="batch", mode="batch"),
        (bn.scale, bn.bias),
    )
    state = eqx.nn.State(theirs)
    run = jax.vmap(theirs, axis_name="batch", in_axes=(0, None), out_axes=(0, None))
    for _ in range(3):
        x = 1 + 2 * jax.random.normal(getkey(), (16, 4))
        bn, ours = px.purecall(bn, x)
        want, state = run(x, state)
        np.testing.assert_allclose(ours, want, rtol=1e-4, atol=1e-4)
    hidden_mean, _ = state.get(theirs.batch_state_index)
    np.testing.assert_allclose(bn.mean, hidden_mean, rtol=1e-5, atol=1e-6)


def test_batch_norm_in_training_needs_purecall(getkey):
    bn = nn.BatchNorm(3)
    x = jax.random.normal(getkey(), (4, 3))
    with pytest.raises(px.ImmutableModuleError, match="purecall"):
        bn(x)


@pytest.mark.parametrize("transform", ["jit", "scan"])
def test_batch_norm_inside_raw_transform_without_purecall_says_the_fix(
    getkey, transform
):
    bn = nn.BatchNorm(3)
    xs = jax.random.normal(getkey(), (2, 4, 3))
    with pytest.raises(
        px.ImmutableModuleError, match=r"explicit argument.*px\.purecall"
    ):
        if transform == "jit":
            jax.jit(lambda bn, x: bn(x))(bn, xs[0])
        else:
            jax.lax.scan(lambda bn, x: (bn, bn(x)), bn, xs)
    # The fix the message names works:
    new, ys = jax.lax.scan(lambda bn, x: px.purecall(bn, x), bn, xs)
    assert ys.shape == (2, 4, 3)
    assert not np.allclose(new.mean, bn.mean)


def test_batch_norm_axis_name_averages_statistics_across_vmap(getkey):
    bn = nn.BatchNorm(3, axis_name="device")
    x = jax.random.normal(getkey(), (2, 5, 3))  # 2 shards of 5 examples

    def step(bn, x):
        return px.purecall(bn, x)

    new, y = jax.vmap(step, in_axes=(None, 0), out_axes=(None, 0), axis_name="device")(
        bn, x
    )
    whole, y_whole = px.purecall(nn.BatchNorm(3), x.reshape(10, 3))
    np.testing.assert_allclose(y.reshape(10, 3), y_whole, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(new.mean, whole.mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new.var, whole.var, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.LayerNorm(4),
        lambda: nn.RMSNorm(4),
        lambda: nn.GroupNorm(2, 4),
        lambda: px.eval_mode(nn.BatchNorm(4)),
    ],
    ids=["layer", "rms", "group", "batch"],
)
def test_norms_mixed_precision(getkey, make):
    norm = make()
    x = jax.random.normal(getkey(), (3, 4))
    assert (
        norm(x.astype(jnp.bfloat16)).dtype == jnp.bfloat16
    )  # dtype=None follows the input
    assert px.replace(norm, dtype=jnp.bfloat16)(x).dtype == jnp.bfloat16
    np.testing.assert_allclose(
        norm(x.astype(jnp.bfloat16)).astype(jnp.float32), norm(x), atol=0.05
    )
    assert norm.scale.dtype == jnp.float32
