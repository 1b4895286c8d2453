"""nn.MultiHeadAttention: shapes, the jax.nn formula, mask and causal, Equinox and Flax NNX."""

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


def reference(mha: nn.MultiHeadAttention, q, k, v, allowed=None):
    """Attention written head by head from the contract's definition."""
    d = mha.dim // mha.num_heads
    query = q @ mha.q_proj.weight + mha.q_proj.bias
    key = k @ mha.k_proj.weight + mha.k_proj.bias
    value = v @ mha.v_proj.weight + mha.v_proj.bias
    outs = []
    for h in range(mha.num_heads):
        block = slice(h * d, (h + 1) * d)
        scores = query[..., block] @ jnp.swapaxes(key[..., block], -1, -2) / math.sqrt(d)
        if allowed is not None:
            scores = jnp.where(allowed[..., h, :, :], scores, -jnp.inf)
        outs.append(jax.nn.softmax(scores, axis=-1) @ value[..., block])
    return jnp.concatenate(outs, axis=-1) @ mha.out_proj.weight + mha.out_proj.bias


def test_fields_and_shapes(getkey):
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    for proj in (mha.q_proj, mha.k_proj, mha.v_proj, mha.out_proj):
        assert isinstance(proj, nn.Linear)
        assert proj.weight.shape == (16, 16) and proj.bias is not None and proj.bias.shape == (16,)
    q = jax.random.normal(getkey(), (2, 3, 5, 16))
    kv = jax.random.normal(getkey(), (2, 3, 7, 16))
    assert mha(q, kv, kv).shape == (2, 3, 5, 16)
    assert mha(q[0, 0], kv[0, 0], kv[0, 0]).shape == (5, 16)  # no batch axes
    no_bias = nn.MultiHeadAttention(2, 8, use_bias=False, key=getkey())
    assert no_bias.q_proj.bias is None and no_bias.out_proj.bias is None
    assert px.parameters(mha).q_proj.weight.shape == (16, 16)


def test_num_heads_must_divide_dim(getkey):
    with pytest.raises(ValueError, match="divide"):
        nn.MultiHeadAttention(3, 8, key=getkey())


def test_matches_head_by_head_formula(getkey):
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    q = jax.random.normal(getkey(), (2, 5, 16))
    k = jax.random.normal(getkey(), (2, 6, 16))
    v = jax.random.normal(getkey(), (2, 6, 16))
    np.testing.assert_allclose(mha(q, k, v), reference(mha, q, k, v), rtol=1e-5, atol=1e-5)


def test_mask_and_causal_combine_by_and(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey())
    x = jax.random.normal(getkey(), (3, 5, 8))
    mask = jax.random.bernoulli(getkey(), 0.7, (3, 1, 5, 5)) | jnp.eye(5, dtype=bool)  # each row attends somewhere
    causal = jnp.tril(jnp.ones((5, 5), bool))
    full = jnp.broadcast_to(mask, (3, 2, 5, 5))
    np.testing.assert_allclose(mha(x, x, x, mask=mask), reference(mha, x, x, x, full), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        mha(x, x, x, causal=True), reference(mha, x, x, x, jnp.broadcast_to(causal, (3, 2, 5, 5))), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask, causal=True), reference(mha, x, x, x, full & causal), rtol=1e-5, atol=1e-5
    )


def test_causal_output_ignores_the_future(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey())
    x = jax.random.normal(getkey(), (1, 6, 8))
    changed = x.at[:, 4:].set(jax.random.normal(getkey(), (1, 2, 8)))
    a, b = mha(x, x, x, causal=True), mha(changed, changed, changed, causal=True)
    np.testing.assert_allclose(a[:, :4], b[:, :4], rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[:, 4:], b[:, 4:])


def test_matches_equinox(getkey, peers):
    peers.require("equinox")
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    theirs = eqx.nn.MultiheadAttention(
        4, 16, use_query_bias=True, use_key_bias=True, use_value_bias=True, use_output_bias=True, key=getkey()
    )
    for ours, name in ((mha.q_proj, "query_proj"), (mha.k_proj, "key_proj"), (mha.v_proj, "value_proj"), (mha.out_proj, "output_proj")):
        theirs = eqx.tree_at(lambda m: (getattr(m, name).weight, getattr(m, name).bias), theirs, (ours.weight.T, ours.bias))
    q = jax.random.normal(getkey(), (2, 5, 16))
    kv = jax.random.normal(getkey(), (2, 7, 16))
    mask = jax.random.bernoulli(getkey(), 0.8, (2, 5, 7)).at[:, :, 0].set(True)
    want = jax.vmap(lambda q, kv, m: theirs(q, kv, kv, mask=m))(q, kv, mask)
    np.testing.assert_allclose(mha(q, kv, kv, mask=mask[:, None]), want, rtol=1e-5, atol=1e-5)


def flax_copy(mha: nn.MultiHeadAttention) -> nnx.MultiHeadAttention:
    heads, dim = mha.num_heads, mha.dim
    d = dim // heads
    theirs = nnx.MultiHeadAttention(heads, dim, decode=False, rngs=nnx.Rngs(0))
    for ours, proj in ((mha.q_proj, theirs.query), (mha.k_proj, theirs.key), (mha.v_proj, theirs.value)):
        proj.kernel[...] = ours.weight.reshape(dim, heads, d)
        proj.bias[...] = ours.bias.reshape(heads, d)
    theirs.out.kernel[...] = mha.out_proj.weight.reshape(heads, d, dim)
    theirs.out.bias[...] = mha.out_proj.bias
    return theirs


def test_matches_flax_nnx_with_mask_and_causal(getkey, peers):
    peers.require("flax")
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    theirs = flax_copy(mha)
    x = jax.random.normal(getkey(), (2, 6, 16))
    mask = jax.random.bernoulli(getkey(), 0.8, (2, 1, 6, 6)) | jnp.eye(6, dtype=bool)
    np.testing.assert_allclose(mha(x, x, x, mask=mask), theirs(x, x, x, mask=mask), rtol=1e-5, atol=1e-5)
    causal = nnx.make_causal_mask(jnp.ones((2, 6))).astype(bool)
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask, causal=True), theirs(x, x, x, mask=mask & causal), rtol=1e-5, atol=1e-5
    )


def test_low_precision_softmax_in_float32(getkey):
    mha = nn.MultiHeadAttention(2, 8, dtype=jnp.bfloat16, key=getkey())
    assert mha.q_proj.weight.dtype == jnp.float32
    x = jax.random.normal(getkey(), (2, 4, 8))
    y = mha(x, x, x, causal=True)
    assert y.dtype == jnp.bfloat16
    reference = mha.__class__.__call__(px.replace(mha, dtype=None), x, x, x, causal=True)
    np.testing.assert_allclose(np.asarray(y, np.float32), np.asarray(reference, np.float32), atol=0.1)
    stored = nn.MultiHeadAttention(2, 8, param_dtype=jnp.bfloat16, key=getkey())
    assert stored.k_proj.weight.dtype == jnp.bfloat16
    assert stored(x.astype(jnp.bfloat16), x.astype(jnp.bfloat16), x.astype(jnp.bfloat16)).dtype == jnp.bfloat16


def test_under_jit_and_grad(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey())
    x = jax.random.normal(getkey(), (2, 4, 8))

    @px.jit
    def loss_and_grad(mha, x):
        return px.value_and_grad(lambda m, x: jnp.sum(m(x, x, x, causal=True) ** 2))(mha, x)

    loss, grads = loss_and_grad(mha, x)
    assert isinstance(grads, nn.MultiHeadAttention)
    assert grads.q_proj.weight.shape == (8, 8)
    np.testing.assert_allclose(loss, jnp.sum(mha(x, x, x, causal=True) ** 2), rtol=1e-5)
