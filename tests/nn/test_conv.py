"""nn.Conv1d/2d/3d and nn.ConvTranspose1d/2d/3d against jax.lax, Equinox and Flax NNX."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from hypothesis import given, settings
from hypothesis import strategies as st

import purepax as px
from purepax import nn

CONVS = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
TRANSPOSES = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
SPATIAL = {1: (11,), 2: (9, 8), 3: (7, 6, 5)}
NAMES = {
    1: ("NWC", "WIO", "NWC"),
    2: ("NHWC", "HWIO", "NHWC"),
    3: ("NDHWC", "DHWIO", "NDHWC"),
}

# (kernel, stride, padding, dilation, groups)
CASES = [
    (3, 1, "SAME", 1, 1),
    (3, 2, "VALID", 1, 1),
    (2, 1, "SAME", 2, 2),
    (3, 2, 1, 1, 4),
    (2, 3, "SAME", 1, 1),
]


def _with_random_bias(layer, key):
    return px.replace(layer, bias=jax.random.normal(key, layer.bias.shape))


def test_fields_and_initialisation(getkey):
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, groups=2, key=getkey())
    assert (
        conv.weight.shape == (3, 2, 2, 6)
        and conv.bias is not None
        and conv.bias.shape == (6,)
    )
    assert (
        conv.kernel_size == (3, 2) and conv.stride == (2, 2) and conv.dilation == (1, 1)
    )
    assert conv.padding == "SAME" and conv.groups == 2
    np.testing.assert_array_equal(conv.bias, jnp.zeros(6))
    big = nn.Conv2d(64, 64, 3, key=getkey())
    assert np.asarray(big.weight).std() == pytest.approx(1 / np.sqrt(9 * 64), rel=0.05)
    assert nn.Conv1d(2, 3, 3, use_bias=False, key=getkey()).bias is None


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel, stride, padding, dilation, groups", CASES)
def test_conv_matches_lax_equinox_and_flax(
    getkey, peers, n, kernel, stride, padding, dilation, groups
):
    conv = _with_random_bias(
        CONVS[n](
            4,
            8,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            key=getkey(),
        ),
        getkey(),
    )
    x = jax.random.normal(getkey(), (2, *SPATIAL[n], 4))
    y = conv(x)

    lax_padding = padding if isinstance(padding, str) else [(padding, padding)] * n
    expected = (
        jax.lax.conv_general_dilated(
            x,
            conv.weight,
            (stride,) * n,
            lax_padding,
            rhs_dilation=(dilation,) * n,
            dimension_numbers=NAMES[n],
            feature_group_count=groups,
        )
        + conv.bias
    )
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)

    if peers.current("equinox"):
        theirs = eqx.nn.Conv(
            n,
            4,
            8,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            key=getkey(),
        )
        weight = jnp.transpose(
            conv.weight, (n + 1, n, *range(n))
        )  # (out, in // groups, *kernel)
        theirs = eqx.tree_at(
            lambda m: (m.weight, m.bias),
            theirs,
            (weight, conv.bias.reshape(8, *(1,) * n)),
        )
        channels_first = jax.vmap(theirs)(jnp.moveaxis(x, -1, 1))
        np.testing.assert_allclose(
            y, jnp.moveaxis(channels_first, 1, -1), rtol=1e-5, atol=1e-5
        )

    if peers.current("flax"):
        flax_conv = nnx.Conv(
            4,
            8,
            (kernel,) * n,
            strides=stride,
            padding=lax_padding,
            kernel_dilation=dilation,
            feature_group_count=groups,
            rngs=nnx.Rngs(0),
        )
        flax_conv.kernel[...] = conv.weight
        flax_conv.bias[...] = conv.bias
        np.testing.assert_allclose(y, flax_conv(x), rtol=1e-5, atol=1e-5)


def test_same_padding_output_size(getkey):
    conv = nn.Conv2d(1, 1, 3, stride=2, key=getkey())
    assert conv(jnp.ones((1, 9, 8, 1))).shape == (1, 5, 4, 1)
    valid = nn.Conv2d(1, 1, 3, stride=2, padding="VALID", dilation=2, key=getkey())
    assert valid(jnp.ones((1, 9, 8, 1))).shape == (1, 3, 2, 1)


def test_explicit_padding_pairs_and_per_dimension_values(getkey):
    conv = nn.Conv2d(
        2,
        3,
        (3, 1),
        stride=(1, 2),
        padding=((2, 0), (0, 1)),
        dilation=(1, 1),
        key=getkey(),
    )
    x = jax.random.normal(getkey(), (1, 5, 6, 2))
    expected = (
        jax.lax.conv_general_dilated(
            x, conv.weight, (1, 2), ((2, 0), (0, 1)), dimension_numbers=NAMES[2]
        )
        + conv.bias
    )
    np.testing.assert_allclose(conv(x), expected, rtol=1e-5, atol=1e-6)


def test_any_number_of_batch_axes(getkey):
    conv = nn.Conv1d(2, 3, 3, key=getkey())
    x = jax.random.normal(getkey(), (4, 5, 7, 2))
    np.testing.assert_allclose(conv(x), jax.vmap(conv)(x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(conv(x[0, 0]), conv(x)[0, 0], rtol=1e-6, atol=1e-6)


def test_bad_arguments_are_named(getkey):
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2, key=getkey())
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(3, 4, (3, 3, 3), key=getkey())
    with pytest.raises(ValueError, match="padding"):
        nn.Conv1d(3, 4, 3, padding="FULL", key=getkey())
    with pytest.raises(ValueError, match=r"channels-last inputs \(\*batch, H, W, 3\)"):
        nn.Conv2d(3, 4, 3, key=getkey())(jnp.ones((1, 3, 8, 8)))
    with pytest.raises(TypeError, match="base class"):
        nn.Conv(3, 4, 3, key=getkey())


# --- transposed convolutions ---------------------------------------------------------

TRANSPOSE_CASES = [
    (3, 1, "SAME", 1),
    (3, 2, "SAME", 1),
    (4, 2, "VALID", 1),
    (2, 3, "VALID", 2),
    (3, 2, "SAME", 2),
    (1, 3, "VALID", 1),
]


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel, stride, padding, dilation", TRANSPOSE_CASES)
def test_transpose_matches_lax_and_flax(
    getkey, peers, n, kernel, stride, padding, dilation
):
    layer = _with_random_bias(
        TRANSPOSES[n](
            3,
            5,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            key=getkey(),
        ),
        getkey(),
    )
    spatial = SPATIAL[n]
    x = jax.random.normal(getkey(), (2, *spatial, 3))
    y = layer(x)

    expected = (
        jax.lax.conv_transpose(
            x,
            layer.weight,
            (stride,) * n,
            padding,
            rhs_dilation=(dilation,) * n,
            dimension_numbers=NAMES[n],
        )
        + layer.bias
    )
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)

    k = (kernel - 1) * dilation + 1
    size = [
        s * stride if padding == "SAME" else s * stride + max(k - stride, 0)
        for s in spatial
    ]
    assert y.shape == (2, *size, 5)  # the sizes docs/layers.md promises

    if peers.current("flax"):
        flax_layer = nnx.ConvTranspose(
            3,
            5,
            (kernel,) * n,
            strides=stride,
            padding=padding,
            kernel_dilation=dilation,
            rngs=nnx.Rngs(0),
        )
        flax_layer.kernel[...] = layer.weight
        flax_layer.bias[...] = layer.bias
        np.testing.assert_allclose(y, flax_layer(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("groups", [1, 2])
def test_transpose_with_explicit_padding_and_groups_matches_equinox(
    getkey, peers, groups
):
    peers.require("equinox")
    kernel, stride, pad, dilation = 3, 2, 1, 1
    theirs = eqx.nn.ConvTranspose(
        2,
        4,
        6,
        kernel,
        stride=stride,
        padding=pad,
        output_padding=1,
        groups=groups,
        key=getkey(),
    )
    # Equinox's padding (PyTorch's) removes `pad` from the full output, and its weight is
    # (out, in // groups, *kernel); ours pads the stride-dilated input explicitly.
    full = dilation * (kernel - 1)
    ours = nn.ConvTranspose2d(
        4,
        6,
        kernel,
        stride=stride,
        padding=((full - pad, full - pad + 1),) * 2,
        groups=groups,
        key=getkey(),
    )
    ours = px.replace(
        ours,
        weight=jnp.transpose(theirs.weight, (2, 3, 1, 0)),
        bias=theirs.bias.reshape(6),
    )
    x = jax.random.normal(getkey(), (2, 5, 4, 4))
    expected = jnp.moveaxis(jax.vmap(theirs)(jnp.moveaxis(x, -1, 1)), 1, -1)
    y = ours(x)
    assert y.shape == (2, 10, 8, 6)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_transpose_inverts_the_shape_of_a_strided_conv(getkey):
    down = nn.Conv2d(3, 8, 4, stride=2, key=getkey())
    up = nn.ConvTranspose2d(8, 3, 4, stride=2, key=getkey())
    x = jnp.ones((1, 16, 12, 3))
    assert up(down(x)).shape == x.shape


# --- dtypes, transforms, modes -------------------------------------------------------


def test_dtype_and_param_dtype(getkey):
    conv = nn.Conv2d(2, 3, 3, dtype=jnp.bfloat16, key=getkey())
    assert conv.weight.dtype == jnp.float32
    assert conv(jnp.ones((1, 4, 4, 2))).dtype == jnp.bfloat16
    follows = nn.ConvTranspose1d(2, 3, 3, key=getkey())
    assert follows(jnp.ones((1, 4, 2), jnp.bfloat16)).dtype == jnp.bfloat16
    stored = nn.Conv3d(2, 3, 2, param_dtype=jnp.float16, key=getkey())
    assert stored.weight.dtype == jnp.float16


@pytest.mark.parametrize("make", [nn.Conv2d, nn.ConvTranspose2d])
def test_under_px_jit_and_px_grad(getkey, make):
    layer = make(2, 3, 3, stride=2, key=getkey())
    x = jax.random.normal(getkey(), (2, 6, 6, 2))

    @px.jit
    def grads(layer, x):
        return px.grad(lambda m, x: jnp.sum(m(x) ** 2))(layer, x)

    g = grads(layer, x)
    assert type(g) is make
    by_hand = jax.grad(
        lambda w, b: jnp.sum(px.replace(layer, weight=w, bias=b)(x) ** 2),
        argnums=(0, 1),
    )(layer.weight, layer.bias)
    np.testing.assert_allclose(g.weight, by_hand[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g.bias, by_hand[1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        px.jit(lambda m, x: m(x))(px.eval_mode(layer), x),
        layer(x),
        rtol=1e-6,
        atol=1e-6,
    )


# --- output sizes, as docs/layers.md states them -----------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.sampled_from(["SAME", "VALID"]),
)
def test_output_sizes(size, kernel, stride, dilation, padding):
    k = (kernel - 1) * dilation + 1
    key = jax.random.key(0)
    transposed = nn.ConvTranspose1d(
        1, 1, kernel, stride=stride, padding=padding, dilation=dilation, key=key
    )
    expected = (
        size * stride if padding == "SAME" else size * stride + max(k - stride, 0)
    )
    assert transposed(jnp.ones((1, size, 1))).shape == (1, expected, 1)
    if padding == "VALID" and k > size:
        return  # no window fits
    conv = nn.Conv1d(
        1, 1, kernel, stride=stride, padding=padding, dilation=dilation, key=key
    )
    expected = -(-size // stride) if padding == "SAME" else -(-(size - k + 1) // stride)
    assert conv(jnp.ones((1, size, 1))).shape == (1, expected, 1)
