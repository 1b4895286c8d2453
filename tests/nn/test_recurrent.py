"""nn.LSTMCell, nn.GRUCell, nn.LSTM, nn.GRU: formulas, Equinox and Flax NNX, scanning, modes."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn

sigmoid, tanh = jax.nn.sigmoid, jnp.tanh


def lstm_step(cell, x, h, c):
    """The LSTM equations, gate by gate, PyTorch's order i, f, g, o."""
    n = cell.hidden_size
    w_i, w_h, b = cell.weight_ih, cell.weight_hh, cell.bias
    gate = lambda k: (
        x @ w_i[:, k * n : (k + 1) * n]
        + h @ w_h[:, k * n : (k + 1) * n]
        + b[k * n : (k + 1) * n]
    )
    c = sigmoid(gate(1)) * c + sigmoid(gate(0)) * tanh(gate(2))
    return sigmoid(gate(3)) * tanh(c), c


def gru_step(cell, x, h):
    """The GRU equations, gate by gate, PyTorch's order r, z, n."""
    n = cell.hidden_size
    part = lambda a, k: a[..., k * n : (k + 1) * n]
    a = x @ cell.weight_ih + cell.bias
    b = h @ cell.weight_hh
    r = sigmoid(part(a, 0) + part(b, 0))
    z = sigmoid(part(a, 1) + part(b, 1))
    new = tanh(part(a, 2) + r * (part(b, 2) + cell.bias_n))
    return (1 - z) * new + z * h


def test_cell_fields_and_pytorch_initialisation(getkey):
    lstm = nn.LSTMCell(3, 5, key=getkey())
    assert (
        lstm.weight_ih.shape == (3, 20)
        and lstm.weight_hh.shape == (5, 20)
        and lstm.bias.shape == (20,)
    )
    gru = nn.GRUCell(3, 5, key=getkey())
    assert gru.weight_ih.shape == (3, 15) and gru.weight_hh.shape == (5, 15)
    assert gru.bias.shape == (15,) and gru.bias_n.shape == (5,)
    bound = 1 / np.sqrt(5)
    for leaf in jax.tree.leaves((lstm, gru)):
        assert jnp.all(jnp.abs(leaf) <= bound) and jnp.std(leaf) > bound / 4
    assert nn.LSTMCell(3, 5, use_bias=False, key=getkey()).bias is None
    bare = nn.GRUCell(3, 5, use_bias=False, key=getkey())
    assert bare.bias is None and bare.bias_n is None
    assert nn.LSTM(3, 5, key=getkey()).cell.weight_ih.shape == (3, 20)


def test_lstm_cell_formula(getkey):
    cell = nn.LSTMCell(3, 4, key=getkey())
    x, h, c = (jax.random.normal(getkey(), shape) for shape in ((2, 3), (2, 4), (2, 4)))
    for got, want in zip(cell(x, (h, c)), lstm_step(cell, x, h, c)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    h0, c0 = cell.initial_state((2,))
    assert h0.shape == c0.shape == (2, 4) and not jnp.any(h0) and not jnp.any(c0)


def test_gru_cell_formula(getkey):
    cell = nn.GRUCell(3, 4, key=getkey())
    x, h = jax.random.normal(getkey(), (2, 3)), jax.random.normal(getkey(), (2, 4))
    np.testing.assert_allclose(cell(x, h), gru_step(cell, x, h), rtol=1e-5, atol=1e-6)
    assert cell.initial_state((2, 6)).shape == (2, 6, 4)


def test_lstm_cell_matches_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    cell = nn.LSTMCell(3, 4, key=getkey())
    x, h, c = (jax.random.normal(getkey(), shape) for shape in ((2, 3), (2, 4), (2, 4)))
    want_h, want_c = cell(x, (h, c))
    theirs = eqx.tree_at(
        lambda m: (m.weight_ih, m.weight_hh, m.bias),
        eqx.nn.LSTMCell(3, 4, key=getkey()),
        (cell.weight_ih.T, cell.weight_hh.T, cell.bias),
    )
    eqx_h, eqx_c = jax.vmap(theirs)(x, (h, c))
    np.testing.assert_allclose(eqx_h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(eqx_c, want_c, rtol=1e-5, atol=1e-6)
    flax_cell = nnx.OptimizedLSTMCell(3, 4, rngs=nnx.Rngs(0))
    flax_cell.dense_i.kernel[...] = cell.weight_ih
    flax_cell.dense_h.kernel[...] = cell.weight_hh
    flax_cell.dense_h.bias[...] = cell.bias
    (flax_c, flax_h), _ = flax_cell((c, h), x)
    np.testing.assert_allclose(flax_h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(flax_c, want_c, rtol=1e-5, atol=1e-6)


def test_gru_cell_matches_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    cell = nn.GRUCell(3, 4, key=getkey())
    x, h = jax.random.normal(getkey(), (2, 3)), jax.random.normal(getkey(), (2, 4))
    theirs = eqx.tree_at(
        lambda m: (m.weight_ih, m.weight_hh, m.bias, m.bias_n),
        eqx.nn.GRUCell(3, 4, key=getkey()),
        (cell.weight_ih.T, cell.weight_hh.T, cell.bias, cell.bias_n),
    )
    np.testing.assert_allclose(jax.vmap(theirs)(x, h), cell(x, h), rtol=1e-5, atol=1e-6)
    # Flax's GRU has no recurrent bias on the candidate gate: bias_n = 0.
    no_bias_n = px.replace(cell, bias_n=jnp.zeros(4))
    flax_cell = nnx.GRUCell(3, 4, rngs=nnx.Rngs(0))
    flax_cell.dense_i.kernel[...] = cell.weight_ih
    flax_cell.dense_i.bias[...] = cell.bias
    flax_cell.dense_h.kernel[...] = cell.weight_hh
    flax_h, _ = flax_cell(h, x)
    np.testing.assert_allclose(flax_h, no_bias_n(x, h), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_scanned_layer_equals_a_python_loop(getkey, kind):
    layer = (nn.LSTM if kind == "lstm" else nn.GRU)(3, 4, key=getkey())
    xs = jax.random.normal(getkey(), (2, 6, 3))
    ys = layer(xs)
    assert ys.shape == (2, 6, 4)
    state = layer.cell.initial_state((2,))
    for t in range(6):
        state = layer.cell(xs[:, t], state)
        h = state[0] if kind == "lstm" else state
        np.testing.assert_allclose(ys[:, t], h, rtol=1e-5, atol=1e-6)
    # No batch axis, and several:
    np.testing.assert_allclose(layer(xs[1]), ys[1], rtol=1e-5, atol=1e-6)
    assert layer(xs.reshape(1, 2, 6, 3)).shape == (1, 2, 6, 4)


def test_initial_state_is_used(getkey):
    lstm = nn.LSTM(3, 4, key=getkey())
    xs = jax.random.normal(getkey(), (2, 5, 3))
    h0, c0 = jax.random.normal(getkey(), (2, 4)), jax.random.normal(getkey(), (2, 4))
    np.testing.assert_allclose(
        lstm(xs, (h0, c0))[:, 0], lstm.cell(xs[:, 0], (h0, c0))[0], rtol=1e-5, atol=1e-6
    )
    gru = nn.GRU(3, 4, key=getkey())
    np.testing.assert_allclose(
        gru(xs, h0)[:, 0], gru.cell(xs[:, 0], h0), rtol=1e-5, atol=1e-6
    )


def test_scanned_layers_match_flax_rnn(getkey, peers):
    peers.require("flax")
    xs = jax.random.normal(getkey(), (2, 6, 3))
    lstm = nn.LSTM(3, 4, key=getkey())
    flax_cell = nnx.OptimizedLSTMCell(3, 4, rngs=nnx.Rngs(0))
    flax_cell.dense_i.kernel[...] = lstm.cell.weight_ih
    flax_cell.dense_h.kernel[...] = lstm.cell.weight_hh
    flax_cell.dense_h.bias[...] = lstm.cell.bias
    zeros = jnp.zeros((2, 4))
    np.testing.assert_allclose(
        lstm(xs),
        nnx.RNN(flax_cell)(xs, initial_carry=(zeros, zeros)),
        rtol=1e-5,
        atol=1e-5,
    )
    gru = nn.GRU(3, 4, key=getkey())
    gru = px.replace(gru, cell=px.replace(gru.cell, bias_n=jnp.zeros(4)))
    flax_gru = nnx.GRUCell(3, 4, rngs=nnx.Rngs(0))
    flax_gru.dense_i.kernel[...] = gru.cell.weight_ih
    flax_gru.dense_i.bias[...] = gru.cell.bias
    flax_gru.dense_h.kernel[...] = gru.cell.weight_hh
    np.testing.assert_allclose(
        gru(xs), nnx.RNN(flax_gru)(xs, initial_carry=zeros), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_scanned_layer_is_read_only_and_trains_under_jit(getkey, kind):
    layer = (nn.LSTM if kind == "lstm" else nn.GRU)(3, 4, key=getkey())
    xs = jax.random.normal(getkey(), (2, 5, 3))
    layer(xs)  # no px.purecall needed: nothing changes
    jax.lax.scan(
        lambda layer, x: (layer, layer(x)), layer, xs[None]
    )  # nor inside a raw scan

    @px.jit
    def step(layer, xs):
        loss, grads = px.value_and_grad(lambda m, xs: jnp.mean(m(xs) ** 2))(layer, xs)
        return px.update_parameters(
            layer, jax.tree.map(lambda p, g: p - 0.5 * g, px.parameters(layer), grads)
        ), loss

    losses = []
    for _ in range(5):
        layer, loss = step(layer, xs)
        losses.append(float(loss))
    assert losses[-1] < losses[0]


def test_mixed_precision(getkey):
    lstm = nn.LSTM(3, 4, dtype=jnp.bfloat16, key=getkey())
    assert lstm.cell.weight_ih.dtype == jnp.float32
    xs = jax.random.normal(getkey(), (2, 5, 3))
    ys = lstm(xs)
    assert ys.dtype == jnp.bfloat16
    full = px.replace(lstm, cell=px.replace(lstm.cell, dtype=None))
    np.testing.assert_allclose(ys.astype(jnp.float32), full(xs), atol=0.05)
    gru = nn.GRU(3, 4, param_dtype=jnp.bfloat16, key=getkey())
    assert gru.cell.weight_hh.dtype == jnp.bfloat16
    assert gru(xs.astype(jnp.bfloat16)).dtype == jnp.bfloat16


def test_wrong_input_size_is_a_clear_error(getkey):
    with pytest.raises(ValueError, match=r"\(\*batch, time, 3\)"):
        nn.LSTM(3, 4, key=getkey())(jnp.ones((2, 5, 4)))
