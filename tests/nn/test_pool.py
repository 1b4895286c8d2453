"""nn.MaxPool1d/2d/3d and nn.AvgPool1d/2d/3d against jax.lax, Equinox and Flax NNX."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn

MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}
EQX_MAX = {1: eqx.nn.MaxPool1d, 2: eqx.nn.MaxPool2d, 3: eqx.nn.MaxPool3d}
EQX_AVG = {1: eqx.nn.AvgPool1d, 2: eqx.nn.AvgPool2d, 3: eqx.nn.AvgPool3d}
SPATIAL = {1: (12,), 2: (9, 8), 3: (7, 6, 5)}
# (window, stride, padding): padding as given to purepax / Flax, and as int pairs for Equinox
CASES = [(2, None, "VALID"), (3, 1, "VALID"), (3, 2, 1), (2, 1, ((1, 0),))]


def _pairs(padding, n):
    if padding == "VALID":
        return ((0, 0),) * n
    if isinstance(padding, int):
        return ((padding, padding),) * n
    return padding * n


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("window, stride, padding", CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_matches_lax_equinox_and_flax(getkey, n, window, stride, padding, kind):
    ours_padding = padding if isinstance(padding, (str, int)) else padding * n
    pool = (MAX if kind == "max" else AVG)[n](window, stride, ours_padding)
    x = jax.random.normal(getkey(), (2, *SPATIAL[n], 3))
    y = pool(x)

    step = window if stride is None else stride
    pairs = _pairs(padding, n)
    dims, strides = (1, *(window,) * n, 1), (1, *(step,) * n, 1)
    full_padding = ((0, 0), *pairs, (0, 0))
    if kind == "max":
        expected = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, dims, strides, full_padding)
    else:
        expected = jax.lax.reduce_window(x, 0.0, jax.lax.add, dims, strides, full_padding) / window**n
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)

    theirs = (EQX_MAX if kind == "max" else EQX_AVG)[n](window, stride=step, padding=pairs)
    channels_first = jax.vmap(theirs)(jnp.moveaxis(x, -1, 1))
    np.testing.assert_allclose(y, jnp.moveaxis(channels_first, 1, -1), rtol=1e-6, atol=1e-6)

    flax_pool = nnx.max_pool if kind == "max" else nnx.avg_pool
    flax_y = flax_pool(x, (window,) * n, strides=(step,) * n, padding=pairs)
    np.testing.assert_allclose(y, flax_y, rtol=1e-6, atol=1e-6)


def test_defaults_are_flax_s():
    pool = nn.MaxPool2d(3)
    assert pool.window == (3, 3) and pool.stride == (3, 3) and pool.padding == "VALID"
    assert pool(jnp.ones((1, 10, 7, 2))).shape == (1, 3, 2, 2)
    assert nn.AvgPool2d((2, 1), stride=(1, 1)).stride == (1, 1)
    assert jax.tree.leaves(pool) == []


def test_same_padding_counts_padded_entries_as_zeros():
    pool = nn.AvgPool1d(3, stride=1, padding="SAME")
    y = pool(jnp.ones((1, 4, 1)))
    np.testing.assert_allclose(y[0, :, 0], jnp.array([2 / 3, 1, 1, 2 / 3]), rtol=1e-6)
    np.testing.assert_allclose(y, nnx.avg_pool(jnp.ones((1, 4, 1)), (3,), (1,), "SAME"), rtol=1e-6)
    biggest = nn.MaxPool1d(3, stride=1, padding="SAME")(-jnp.ones((1, 4, 1)))
    np.testing.assert_array_equal(biggest, -jnp.ones((1, 4, 1)))  # padding never wins


def test_batch_axes_and_integer_inputs():
    x = jnp.arange(2 * 3 * 8 * 2).reshape(2, 3, 8, 2)
    pool = nn.MaxPool1d(2)
    y = pool(x)
    assert y.dtype == x.dtype and y.shape == (2, 3, 4, 2)
    np.testing.assert_array_equal(y, jax.vmap(pool)(x))
    np.testing.assert_array_equal(pool(x[0, 0]), y[0, 0])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="window"):
        nn.MaxPool2d((2, 2, 2))
    with pytest.raises(ValueError, match="padding"):
        nn.AvgPool1d(2, padding="CIRCULAR")
    with pytest.raises(TypeError, match="base class"):
        nn.MaxPool(2)


@pytest.mark.parametrize("make", [nn.MaxPool2d, nn.AvgPool2d])
def test_in_a_tiny_model_under_px_jit_and_px_grad(getkey, make):
    model = nn.Sequential(nn.Conv2d(1, 2, 3, key=getkey()), make(2))
    x = jax.random.normal(getkey(), (2, 6, 6, 1))
    grads = px.jit(px.grad(lambda m, x: jnp.sum(m(x))))(model, x)
    by_hand = jax.grad(lambda w: jnp.sum(make(2)(px.replace(model[0], weight=w)(x))))(model[0].weight)
    np.testing.assert_allclose(grads[0].weight, by_hand, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(px.eval_mode(model)(x), model(x))
    assert math.isfinite(float(jnp.sum(model(x))))
