"""nn.Embedding: lookup of integer ids of any shape, initialisation, dtypes, transforms."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn


def test_lookup_of_ids_of_any_shape(getkey):
    embed = nn.Embedding(10, 4, key=getkey())
    assert embed.weight.shape == (10, 4)
    ids = jnp.array([[1, 2, 3], [9, 0, 1]])
    y = embed(ids)
    assert y.shape == (2, 3, 4)
    np.testing.assert_array_equal(y[1, 0], embed.weight[9])
    assert embed(jnp.array(5)).shape == (4,)
    np.testing.assert_array_equal(embed(jnp.array(5)), embed.weight[5])


def test_same_as_equinox_and_flax(getkey, peers):
    peers.require("equinox", "flax")
    embed = nn.Embedding(7, 3, key=getkey())
    ids = jax.random.randint(getkey(), (4, 5), 0, 7)
    theirs = eqx.nn.Embedding(weight=embed.weight)
    np.testing.assert_array_equal(embed(ids), jax.vmap(jax.vmap(theirs))(ids))
    flax_embed = nnx.Embed(7, 3, rngs=nnx.Rngs(0))
    flax_embed.embedding[...] = embed.weight
    np.testing.assert_array_equal(embed(ids), flax_embed(ids))
    query = jax.random.normal(getkey(), (2, 3))
    np.testing.assert_allclose(embed.attend(query), flax_embed.attend(query), rtol=1e-6)


def test_standard_normal_initialisation():
    w = np.asarray(nn.Embedding(1000, 64, key=jax.random.key(3)).weight)
    assert abs(w.mean()) < 0.02
    assert w.std() == pytest.approx(1.0, rel=0.03)


def test_dtypes(getkey):
    embed = nn.Embedding(5, 2, dtype=jnp.bfloat16, key=getkey())
    assert embed.weight.dtype == jnp.float32
    assert embed(jnp.array([1])).dtype == jnp.bfloat16
    assert (
        nn.Embedding(5, 2, param_dtype=jnp.float16, key=getkey())(jnp.array([1])).dtype
        == jnp.float16
    )


def test_float_ids_are_refused(getkey):
    with pytest.raises(TypeError, match="integer ids"):
        nn.Embedding(5, 2, key=getkey())(jnp.array([1.0]))


def test_under_px_jit_and_px_grad(getkey):
    embed = nn.Embedding(6, 3, key=getkey())
    ids = jnp.array([0, 2, 2, 5])
    grads = px.jit(px.grad(lambda m, ids: jnp.sum(m(ids))))(embed, ids)
    counts = jnp.array([1, 0, 2, 0, 0, 1.0])
    np.testing.assert_allclose(grads.weight, jnp.broadcast_to(counts[:, None], (6, 3)))
    np.testing.assert_array_equal(px.eval_mode(embed)(ids), embed(ids))


def test_without_a_mesh_a_sharded_lookup_traces_to_jnp_take(getkey):
    # The out_sharding of Explicit mesh axes costs nothing elsewhere: the same equations.
    embed = nn.Embedding(6, 3, sharding=(None, "model"), key=getkey())
    ids, query = jnp.array([[0, 5]]), jnp.ones((2, 3))
    assert str(jax.make_jaxpr(lambda m, i: m(i))(embed, ids)) == str(
        jax.make_jaxpr(lambda w, i: jnp.take(w, i, axis=0))(embed.weight, ids)
    )
    assert str(jax.make_jaxpr(lambda m, q: m.attend(q))(embed, query)) == str(
        jax.make_jaxpr(lambda w, q: q @ w.T)(embed.weight, query)
    )
