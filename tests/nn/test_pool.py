"""nn.MaxPool1d/2d/3d and nn.AvgPool1d/2d/3d against jax.lax, Equinox and Flax NNX."""

from __future__ import annotations

import contextlib
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
def test_matches_lax_equinox_and_flax(getkey, peers, n, window, stride, padding, kind):
    ours_padding = padding if isinstance(padding, (str, int)) else padding * n
    pool = (MAX if kind == "max" else AVG)[n](window, stride, ours_padding)
    x = jax.random.normal(getkey(), (2, *SPATIAL[n], 3))
    y = pool(x)

    step = window if stride is None else stride
    pairs = _pairs(padding, n)
    dims, strides = (1, *(window,) * n, 1), (1, *(step,) * n, 1)
    full_padding = ((0, 0), *pairs, (0, 0))
    if kind == "max":
        expected = jax.lax.reduce_window(
            x, -jnp.inf, jax.lax.max, dims, strides, full_padding
        )
    else:
        expected = (
            jax.lax.reduce_window(x, 0.0, jax.lax.add, dims, strides, full_padding)
            / window**n
        )
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)

    if peers.current("equinox"):
        theirs = (EQX_MAX if kind == "max" else EQX_AVG)[n](
            window, stride=step, padding=pairs
        )
        channels_first = jax.vmap(theirs)(jnp.moveaxis(x, -1, 1))
        np.testing.assert_allclose(
            y, jnp.moveaxis(channels_first, 1, -1), rtol=1e-6, atol=1e-6
        )

    if peers.current("flax"):
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
    np.testing.assert_allclose(
        y, nnx.avg_pool(jnp.ones((1, 4, 1)), (3,), (1,), "SAME"), rtol=1e-6
    )
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
    with pytest.raises(px.ArgumentError, match="base class"):
        nn.MaxPool(2)
    with pytest.raises(
        px.ArgumentError,
        match=r"MaxPool2d takes channels-last inputs .* got shape \(4, 4\)",
    ):
        nn.MaxPool2d(2)(jnp.ones((4, 4)))


@pytest.mark.parametrize("make", [nn.MaxPool2d, nn.AvgPool2d])
def test_in_a_tiny_model_under_px_jit_and_px_grad(getkey, make):
    model = nn.Sequential(nn.Conv2d(1, 2, 3, key=getkey()), make(2))
    x = jax.random.normal(getkey(), (2, 6, 6, 1))
    grads = px.jit(px.grad(lambda m, x: jnp.sum(m(x))))(model, x)
    by_hand = jax.grad(lambda w: jnp.sum(make(2)(px.replace(model[0], weight=w)(x))))(
        model[0].weight
    )
    np.testing.assert_allclose(grads[0].weight, by_hand, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(px.eval_mode(model)(x), model(x))
    assert math.isfinite(float(jnp.sum(model(x))))


# --- every dtype family, against NumPy ---------------------------------------------------------

POOLS = [
    nn.MaxPool1d,
    nn.MaxPool2d,
    nn.MaxPool3d,
    nn.AvgPool1d,
    nn.AvgPool2d,
    nn.AvgPool3d,
]
DTYPES = [
    jnp.bool_,
    jnp.int8,
    jnp.uint8,
    jnp.int32,
    jnp.float16,
    jnp.bfloat16,
    jnp.float32,
]
# float16 and bfloat16 sums are rounded at every step; the other averages are float32, off
# by float32's rounding of the inputs' magnitude (int32's reaches 2**31)
AVG_TOLERANCE = {jnp.float16: 2e-3, jnp.bfloat16: 2e-2}


def _sample(key, dtype, shape):
    """Values over the dtype's whole range: negatives (which a zero padding would beat), and
    uint8 values whose window sums overflow uint8."""
    if dtype == jnp.bool_:
        return jax.random.bernoulli(key, 0.3, shape)
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        return jax.random.randint(key, shape, info.min, info.max, dtype)
    return (3 * jax.random.normal(key, shape)).astype(dtype)


def _numpy_pool(x, maximum, window, stride, padding, n):
    """Pooling written with NumPy: pad, slide a window, take its max or its float64 mean."""
    x = np.asarray(x)
    if x.dtype in (np.float16, jnp.bfloat16):
        x = x.astype(np.float32)  # exact
    if maximum:
        fill = (
            False
            if x.dtype == np.bool_
            else np.iinfo(x.dtype).min
            if x.dtype.kind in "iu"
            else -np.inf
        )
    else:
        x, fill = x.astype(np.float64), 0.0
    x = np.pad(x, [(0, 0), *[(padding, padding)] * n, (0, 0)], constant_values=fill)
    windows = np.lib.stride_tricks.sliding_window_view(
        x, (window,) * n, axis=tuple(range(1, n + 1))
    )
    windows = windows[(slice(None), *[slice(None, None, stride)] * n)]
    reduce = np.max if maximum else np.mean
    return reduce(windows, axis=tuple(range(-n, 0)))


def _expected_dtype(pool, x):
    if isinstance(pool, nn.MaxPool) or jnp.issubdtype(x.dtype, jnp.inexact):
        return x.dtype
    return jnp.mean(x).dtype  # jnp.mean's rule: the default float dtype


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: jnp.dtype(d).name)
@pytest.mark.parametrize("make", POOLS, ids=lambda c: c.__name__)
def test_every_pool_matches_numpy_for_every_dtype_family_eagerly_under_jit_and_vmap(
    getkey, make, dtype
):
    # Overlapping windows over padded edges: the padding must never win a max.
    window, stride, padding = 3, 2, 1
    n = make.num_spatial_dims
    pool = make(window, stride, padding)
    x = _sample(getkey(), dtype, (2, *SPATIAL[n], 3))
    maximum = isinstance(pool, nn.MaxPool)
    want = _numpy_pool(x, maximum, window, stride, padding, n)
    for how, y in {
        "eager": pool(x),
        "jit": jax.jit(lambda p, x: p(x))(pool, x),
        "vmap": jax.vmap(pool)(x),
    }.items():
        assert y.dtype == _expected_dtype(pool, x), how
        assert y.shape == want.shape, how
        if maximum:
            np.testing.assert_array_equal(
                np.asarray(y), want.astype(y.dtype), err_msg=how
            )
        else:
            tolerance = AVG_TOLERANCE.get(dtype, 1e-6)
            scale = max(1.0, float(np.max(np.abs(np.asarray(x, np.float64)))))
            np.testing.assert_allclose(
                np.asarray(y, np.float64),
                want,
                rtol=tolerance,
                atol=tolerance * scale,
                err_msg=how,
            )


def test_averaging_uint8_images_does_not_overflow():
    image = jnp.full((1, 4, 4, 3), 200, jnp.uint8)
    y = nn.AvgPool2d(2)(image)
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(y, jnp.full((1, 2, 2, 3), 200.0))


def test_max_pooling_a_boolean_mask_keeps_it_boolean():
    mask = jnp.array([True, False, False, False, False, True]).reshape(1, 6, 1)
    y = nn.MaxPool1d(2)(mask)
    assert y.dtype == jnp.bool_
    np.testing.assert_array_equal(y[0, :, 0], [True, False, True])
    padded = nn.MaxPool1d(3, stride=1, padding="SAME")(
        ~mask
    )  # padded entries are False
    np.testing.assert_array_equal(padded[0, :, 0], [True, True, True, True, True, True])


@contextlib.contextmanager
def _float64():
    """64-bit floats on (`jax.enable_x64` is not in every JAX this project supports)."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


def test_under_x64_integers_are_averaged_in_float64_and_floats_keep_their_dtype():
    with _float64():
        ints = jnp.arange(2**40, 2**40 + 8, dtype=jnp.int64).reshape(1, 8, 1)
        y = nn.AvgPool1d(2)(ints)
        assert y.dtype == jnp.float64 == jnp.mean(ints).dtype
        np.testing.assert_array_equal(y[0, :, 0], 2.0**40 + np.arange(4) * 2 + 0.5)
        assert nn.AvgPool1d(2)(jnp.ones((1, 4, 1), jnp.float32)).dtype == jnp.float32
        assert nn.MaxPool1d(2)(ints).dtype == jnp.int64
