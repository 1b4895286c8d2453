"""nn.RotaryPositionalEmbedding: RoFormer's rotation matrix, Equinox's pairing, relative positions."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
from purepax import nn


def roformer(
    x: np.ndarray, positions: np.ndarray, theta: float = 10_000.0
) -> np.ndarray:
    """RoFormer eq. 15 and 34, transcribed: x_m -> R^d_{Theta,m} x_m, with R block-diagonal
    of 2x2 rotations by m * theta_i, theta_i = theta^(-2(i-1)/d), i = 1 .. d/2."""
    d = x.shape[-1]
    out = np.empty_like(x, dtype=np.float64)
    for t, m in enumerate(positions):
        rotation = np.zeros((d, d))
        for i in range(1, d // 2 + 1):
            angle = m * theta ** (-2 * (i - 1) / d)
            block = slice(2 * i - 2, 2 * i)
            rotation[block, block] = [
                [np.cos(angle), -np.sin(angle)],
                [np.sin(angle), np.cos(angle)],
            ]
        out[..., t, :] = x[..., t, :].astype(np.float64) @ rotation.T
    return out


def test_interleaved_is_roformers_rotation_matrix(getkey):
    x = np.asarray(jax.random.normal(getkey(), (2, 7, 8)))
    rope = nn.RotaryPositionalEmbedding(8)
    np.testing.assert_allclose(
        rope(jnp.asarray(x)), roformer(x, np.arange(7)), rtol=1e-5, atol=1e-5
    )
    positions = np.array([3, 40, 41, 500, 999, 0, 12])
    np.testing.assert_allclose(
        rope(jnp.asarray(x), jnp.asarray(positions)),
        roformer(x, positions),
        rtol=1e-4,
        atol=1e-4,
    )
    other_base = nn.RotaryPositionalEmbedding(8, theta=500.0)
    np.testing.assert_allclose(
        other_base(jnp.asarray(x)),
        roformer(x, np.arange(7), 500.0),
        rtol=1e-5,
        atol=1e-5,
    )


def test_halves_pairing_matches_equinox(getkey):
    x = jax.random.normal(getkey(), (9, 16))
    theirs = eqx.nn.RotaryPositionalEmbedding(16)
    np.testing.assert_allclose(
        nn.RotaryPositionalEmbedding(16, interleaved=False)(x),
        theirs(x),
        rtol=1e-5,
        atol=1e-5,
    )


def test_the_two_pairings_differ_by_a_permutation_of_features(getkey):
    x = jax.random.normal(getkey(), (5, 8))
    order = np.array(
        [0, 4, 1, 5, 2, 6, 3, 7]
    )  # the halves pairing's pairs (i, i + 4), side by side
    halves = nn.RotaryPositionalEmbedding(8, interleaved=False)(x)
    interleaved = nn.RotaryPositionalEmbedding(8)(x[:, order])
    np.testing.assert_allclose(interleaved, halves[:, order], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("interleaved", [True, False])
def test_dot_products_depend_only_on_the_distance_between_positions(
    getkey, interleaved
):
    rope = nn.RotaryPositionalEmbedding(16, interleaved=interleaved)
    q, k = jax.random.normal(getkey(), (2, 1, 16))

    def score(m: int, n: int) -> float:
        return float(jnp.sum(rope(q, jnp.array([m])) * rope(k, jnp.array([n]))))

    assert score(7, 3) == pytest.approx(score(104, 100), abs=1e-4)
    assert score(7, 3) == pytest.approx(score(4, 0), abs=1e-4)
    assert score(7, 3) != pytest.approx(score(7, 4), abs=1e-3)


def test_positions_shift_a_window_and_keep_dtype(getkey):
    rope = nn.RotaryPositionalEmbedding(4)
    x = jax.random.normal(getkey(), (3, 10, 4))
    np.testing.assert_allclose(
        rope(x)[:, 6:], rope(x[:, 6:], jnp.arange(6, 10)), rtol=1e-6, atol=1e-6
    )
    assert rope(x.astype(jnp.bfloat16)).dtype == jnp.bfloat16
    assert jax.jit(rope)(x).shape == x.shape


def test_bad_sizes_are_refused(getkey):
    with pytest.raises(px.ArgumentError, match="dim=5 must be even"):
        nn.RotaryPositionalEmbedding(5)
    with pytest.raises(px.ArgumentError, match="x has 6 features .* dim=4"):
        nn.RotaryPositionalEmbedding(4)(jnp.ones((2, 6)))
    with pytest.raises(
        px.ArgumentError, match=r"nn.RotaryPositionalEmbedding\(4, ...\)"
    ):
        nn.MultiHeadAttention(
            2, 8, rotary=nn.RotaryPositionalEmbedding(8), key=getkey()
        )
    with pytest.raises(px.ArgumentError, match="odd number"):
        nn.MultiHeadAttention(2, 6, rotary=True, key=getkey())


def test_rotary_attention_rotates_each_heads_queries_and_keys(getkey):
    mha = nn.MultiHeadAttention(2, 8, rotary=True, key=getkey())
    assert mha.rotary is not None and (
        mha.rotary.dim,
        mha.rotary.theta,
        mha.rotary.interleaved,
    ) == (4, 10_000.0, True)
    x = jax.random.normal(getkey(), (3, 5, 8))
    positions = np.arange(5)
    query = np.asarray(x @ mha.q_proj.weight + mha.q_proj.bias)
    key = np.asarray(x @ mha.k_proj.weight + mha.k_proj.bias)
    value = np.asarray(x @ mha.v_proj.weight + mha.v_proj.bias)
    heads = []
    for h in range(2):
        block = slice(4 * h, 4 * h + 4)
        q, k = (
            roformer(query[..., block], positions),
            roformer(key[..., block], positions),
        )
        scores = q @ np.swapaxes(k, -1, -2) / 2.0
        scores = np.where(np.tril(np.ones((5, 5), bool)), scores, -np.inf)
        heads.append(np.asarray(jax.nn.softmax(scores, axis=-1)) @ value[..., block])
    want = np.concatenate(heads, axis=-1) @ np.asarray(
        mha.out_proj.weight
    ) + np.asarray(mha.out_proj.bias)
    np.testing.assert_allclose(mha(x, x, x, causal=True), want, rtol=1e-4, atol=1e-5)
