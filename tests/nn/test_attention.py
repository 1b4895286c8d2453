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
        scores = (
            query[..., block] @ jnp.swapaxes(key[..., block], -1, -2) / math.sqrt(d)
        )
        if allowed is not None:
            scores = jnp.where(allowed[..., h, :, :], scores, -jnp.inf)
        outs.append(jax.nn.softmax(scores, axis=-1) @ value[..., block])
    return jnp.concatenate(outs, axis=-1) @ mha.out_proj.weight + mha.out_proj.bias


def test_fields_and_shapes(getkey):
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    for proj in (mha.q_proj, mha.k_proj, mha.v_proj, mha.out_proj):
        assert isinstance(proj, nn.Linear)
        assert (
            proj.weight.shape == (16, 16)
            and proj.bias is not None
            and proj.bias.shape == (16,)
        )
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
    np.testing.assert_allclose(
        mha(q, k, v), reference(mha, q, k, v), rtol=1e-5, atol=1e-5
    )


def test_mask_and_causal_combine_by_and(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey())
    x = jax.random.normal(getkey(), (3, 5, 8))
    mask = jax.random.bernoulli(getkey(), 0.7, (3, 1, 5, 5)) | jnp.eye(
        5, dtype=bool
    )  # each row attends somewhere
    causal = jnp.tril(jnp.ones((5, 5), bool))
    full = jnp.broadcast_to(mask, (3, 2, 5, 5))
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask), reference(mha, x, x, x, full), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        mha(x, x, x, causal=True),
        reference(mha, x, x, x, jnp.broadcast_to(causal, (3, 2, 5, 5))),
        rtol=1e-5,
        atol=1e-5,
    )
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask, causal=True),
        reference(mha, x, x, x, full & causal),
        rtol=1e-5,
        atol=1e-5,
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
        4,
        16,
        use_query_bias=True,
        use_key_bias=True,
        use_value_bias=True,
        use_output_bias=True,
        key=getkey(),
    )
    for ours, name in (
        (mha.q_proj, "query_proj"),
        (mha.k_proj, "key_proj"),
        (mha.v_proj, "value_proj"),
        (mha.out_proj, "output_proj"),
    ):
        theirs = eqx.tree_at(
            lambda m: (getattr(m, name).weight, getattr(m, name).bias),
            theirs,
            (ours.weight.T, ours.bias),
        )
    q = jax.random.normal(getkey(), (2, 5, 16))
    kv = jax.random.normal(getkey(), (2, 7, 16))
    mask = jax.random.bernoulli(getkey(), 0.8, (2, 5, 7)).at[:, :, 0].set(True)
    want = jax.vmap(lambda q, kv, m: theirs(q, kv, kv, mask=m))(q, kv, mask)
    np.testing.assert_allclose(
        mha(q, kv, kv, mask=mask[:, None]), want, rtol=1e-5, atol=1e-5
    )


def flax_copy(mha: nn.MultiHeadAttention) -> nnx.MultiHeadAttention:
    heads, dim = mha.num_heads, mha.dim
    d = dim // heads
    theirs = nnx.MultiHeadAttention(heads, dim, decode=False, rngs=nnx.Rngs(0))
    for ours, proj in (
        (mha.q_proj, theirs.query),
        (mha.k_proj, theirs.key),
        (mha.v_proj, theirs.value),
    ):
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
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask), theirs(x, x, x, mask=mask), rtol=1e-5, atol=1e-5
    )
    causal = nnx.make_causal_mask(jnp.ones((2, 6))).astype(bool)
    np.testing.assert_allclose(
        mha(x, x, x, mask=mask, causal=True),
        theirs(x, x, x, mask=mask & causal),
        rtol=1e-5,
        atol=1e-5,
    )


def test_low_precision_softmax_in_float32(getkey):
    mha = nn.MultiHeadAttention(2, 8, dtype=jnp.bfloat16, key=getkey())
    assert mha.q_proj.weight.dtype == jnp.float32
    x = jax.random.normal(getkey(), (2, 4, 8))
    y = mha(x, x, x, causal=True)
    assert y.dtype == jnp.bfloat16
    reference = mha.__class__.__call__(
        px.replace(mha, dtype=None), x, x, x, causal=True
    )
    np.testing.assert_allclose(
        np.asarray(y, np.float32), np.asarray(reference, np.float32), atol=0.1
    )
    stored = nn.MultiHeadAttention(2, 8, param_dtype=jnp.bfloat16, key=getkey())
    assert stored.k_proj.weight.dtype == jnp.bfloat16
    assert (
        stored(
            x.astype(jnp.bfloat16), x.astype(jnp.bfloat16), x.astype(jnp.bfloat16)
        ).dtype
        == jnp.bfloat16
    )


def test_under_jit_and_grad(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey())
    x = jax.random.normal(getkey(), (2, 4, 8))

    @px.jit
    def loss_and_grad(mha, x):
        return px.value_and_grad(lambda m, x: jnp.sum(m(x, x, x, causal=True) ** 2))(
            mha, x
        )

    loss, grads = loss_and_grad(mha, x)
    assert isinstance(grads, nn.MultiHeadAttention)
    assert grads.q_proj.weight.shape == (8, 8)
    np.testing.assert_allclose(loss, jnp.sum(mha(x, x, x, causal=True) ** 2), rtol=1e-5)


# --- decoding with a key-value cache ---------------------------------------------------


class Block(px.Module):
    norm: nn.LayerNorm
    attention: nn.MultiHeadAttention
    mlp: nn.Linear

    def __init__(self, dim: int, heads: int, rotary: bool, *, key: jax.Array):
        k1, k2 = jax.random.split(key)
        self.norm = nn.LayerNorm(dim)
        self.attention = nn.MultiHeadAttention(heads, dim, rotary=rotary, key=k1)
        self.mlp = nn.Linear(dim, dim, key=k2)

    def __call__(self, x):
        h = self.norm(x)
        x = x + self.attention(h, h, h, causal=True)
        return x + jax.nn.gelu(self.mlp(x))


class TinyLM(px.Module):
    embed: nn.Embedding
    blocks: px.Stacked[Block]
    head: nn.Linear

    def __init__(self, *, rotary: bool = True, key: jax.Array):
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = nn.Embedding(50, 16, key=k1)
        self.blocks = px.stack(
            lambda k: Block(16, 4, rotary, key=k), jax.random.split(k2, 3)
        )
        self.head = nn.Linear(16, 50, key=k3)

    def __call__(self, ids):
        return self.head(self.blocks(self.embed(ids)))


@px.jit
def decode_one_by_one(model: TinyLM, ids: jax.Array) -> jax.Array:
    """Logits of every position of `ids` (batch, time), fed one position per step of a scan."""

    def step(model, token):
        model, logits = px.purecall(model, token[:, None])
        return model, logits[:, 0]

    _, logits = px.scan(step, model, ids.T)
    return logits.swapaxes(0, 1)


def test_cached_decoding_of_a_stack_equals_the_full_prefix_at_every_position(getkey):
    model = TinyLM(key=getkey())
    ids = jax.random.randint(getkey(), (2, 12), 0, 50)
    decoder = nn.init_cache(model, batch_size=2, max_length=16)
    # One cache per block: (blocks, batch, heads, max_length, head_dim).
    assert decoder.blocks.layers.attention.cache.value.shape == (3, 2, 4, 16, 4)
    assert model.blocks.layers.attention.cache is None  # the model itself is unchanged
    np.testing.assert_allclose(
        decode_one_by_one(decoder, ids), model(ids), rtol=1e-5, atol=1e-5
    )


def _equations(jaxpr):
    """Every equation of `jaxpr` and of the jaxprs inside it (scan bodies, branches)."""
    for eqn in jaxpr.eqns:
        yield eqn
        for param in eqn.params.values():
            for sub in param if isinstance(param, (tuple, list)) else (param,):
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    yield from _equations(inner)


def test_a_stack_writes_only_the_new_position_into_its_stacked_caches(getkey):
    decoder = nn.init_cache(TinyLM(key=getkey()), batch_size=2, max_length=16)
    token = jnp.zeros((2, 1), jnp.int32)
    step = jax.make_jaxpr(lambda decoder: px.purecall(decoder, token))(decoder)
    writes = [
        eqn.invars[1].aval.shape
        for eqn in _equations(step.jaxpr)
        if eqn.primitive.name == "dynamic_update_slice"
        and eqn.invars[0].aval.shape in ((3, 2, 4, 4, 16), (3, 2, 4, 16, 4))
    ]
    # One block's new position, in place, for its keys and its values: not a copy of
    # the block's whole cache written back (2 x 16 positions per block and step).
    assert writes == [(1, 2, 4, 4, 1), (1, 2, 4, 1, 4)]  # keys, values


def _loop_operand_shapes(fn, *args):
    """The shapes of the operands (constants, carry, inputs) of the loop that `fn` runs."""
    (loop,) = [
        eqn
        for eqn in jax.make_jaxpr(fn)(*args).jaxpr.eqns
        if eqn.primitive.name in ("scan", "while")
    ]
    return [v.aval.shape for v in loop.invars], loop


def test_a_decode_loop_carries_a_stacks_weights_one_array_per_block(getkey):
    model = TinyLM(key=getkey())
    decoder = nn.init_cache(model, batch_size=2, max_length=16)
    ids = jax.random.randint(getkey(), (2, 4), 0, 50)
    shapes, loop = _loop_operand_shapes(decode_one_by_one.__wrapped__, decoder, ids)
    # Sliced once before the loop, not at every step: no (3, 16, 16) stack of weights
    # enters it, 3 blocks x 5 weights of (16, 16) do (XLA copies a slice in a loop).
    assert (3, 16, 16) not in shapes and shapes.count((16, 16)) == 15
    (stack,) = [
        e for e in _equations(loop.params["jaxpr"].jaxpr) if e.primitive.name == "scan"
    ]
    assert stack.params["unroll"] == 3  # the blocks unrolled read their own arrays
    # A stack that does not decode (no cache: training) is carried as it is.
    shapes, _ = _loop_operand_shapes(decode_one_by_one.__wrapped__, model, ids)
    assert (3, 16, 16) in shapes

    def given_back(decoder):  # the weights it was given, not copies stacked again
        decoded, _ = px.scan(lambda m, t: px.purecall(m, t[:, None]), decoder, ids.T)
        assert decoded.blocks.layers.mlp.weight is decoder.blocks.layers.mlp.weight
        return decoded

    jax.make_jaxpr(given_back)(decoder)


def _restart(model, token):
    """Decode `token` from empty caches (a sampler's refill when its caches are full)."""
    return px.purecall(nn.init_cache(model, 2, 8), token)


def _decode_token(model, token):
    return px.purecall(model, token)


@pytest.mark.parametrize("loop", ["fori_loop", "while_loop"])
def test_a_stack_decoding_in_a_fori_or_while_loop_equals_the_full_prefix(getkey, loop):
    model = TinyLM(key=getkey())
    ids = jax.random.randint(getkey(), (2, 6), 0, 50)

    def body(i, carry):
        model, out = carry
        token = jax.lax.dynamic_slice_in_dim(ids, i, 1, axis=1)
        model, logits = px.cond(i == 99, _restart, _decode_token, model, token)
        return model, jax.lax.dynamic_update_slice_in_dim(out, logits, i, axis=1)

    carry = (nn.init_cache(model, 2, 8), jnp.zeros((2, 6, 50)))
    if loop == "fori_loop":
        _, out = px.fori_loop(0, 6, body, carry)
    else:
        step = lambda c: (c[0] + 1, *body(c[0], c[1:]))  # noqa: E731
        _, _, out = px.while_loop(lambda c: c[0] < 6, step, (0, *carry))
    np.testing.assert_allclose(out, model(ids), rtol=1e-5, atol=1e-5)


def test_a_branch_in_a_decode_loop_is_given_a_stacks_weights_one_array_per_block(
    getkey,
):
    decoder = nn.init_cache(TinyLM(key=getkey()), batch_size=2, max_length=8)

    def body(i, model):
        token = jnp.zeros((2, 1), jnp.int32)
        return px.cond(i == 7, _restart, _decode_token, model, token)[0]

    shapes, loop = _loop_operand_shapes(lambda d: px.fori_loop(0, 4, body, d), decoder)
    (branch,) = [
        e for e in _equations(loop.params["jaxpr"].jaxpr) if e.primitive.name == "cond"
    ]
    # A branch's operands are buffers: a stack of weights given to it is a copy.
    shapes = [v.aval.shape for v in branch.invars]
    assert (3, 16, 16) not in shapes and shapes.count((16, 16)) == 15


def test_a_decode_loop_that_changes_a_stacks_weights_decodes_with_the_changed_ones(
    getkey,
):
    decoder = nn.init_cache(TinyLM(key=getkey()), batch_size=2, max_length=8)
    ids = jax.random.randint(getkey(), (2, 3), 0, 50)

    def step(model, token):
        layers = model.blocks.layers
        mlp = jax.tree.map(lambda a: a * 1.5, layers.mlp)
        blocks = px.replace(model.blocks, layers=px.replace(layers, mlp=mlp))
        model, logits = px.purecall(px.replace(model, blocks=blocks), token[:, None])
        return model, logits[:, 0]

    looped, logits = px.scan(step, decoder, ids.T)
    stepped, want, one_step = decoder, [], px.jit(step)
    for token in ids.T:  # the same steps, one call each (no loop)
        stepped, out = one_step(stepped, token)
        want.append(out)
    np.testing.assert_allclose(logits, jnp.stack(want), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        looped.blocks.layers.mlp.weight, stepped.blocks.layers.mlp.weight, rtol=1e-6
    )


def test_a_prefix_fed_in_chunks_through_the_cache_equals_the_full_prefix(getkey):
    model = TinyLM(rotary=False, key=getkey())
    ids = jax.random.randint(getkey(), (2, 10), 0, 50)
    decoder = nn.init_cache(model, 2, 10)
    outs = []
    for chunk in (ids[:, :4], ids[:, 4:5], ids[:, 5:]):
        decoder, logits = px.purecall(decoder, chunk)
        outs.append(logits)
    np.testing.assert_allclose(
        jnp.concatenate(outs, axis=1), model(ids), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_array_equal(
        decoder.blocks.layers.attention.cache.index, [10, 10, 10]
    )


def test_the_cache_is_state_advanced_only_through_purecall(getkey):
    decoder = nn.init_cache(TinyLM(key=getkey()), 1, 4)
    token = jnp.zeros((1, 1), jnp.int32)
    with pytest.raises(px.ImmutableModuleError):
        decoder(token)
    new, _ = px.purecall(decoder, token)
    np.testing.assert_array_equal(
        decoder.blocks.layers.attention.cache.index, [0, 0, 0]
    )
    np.testing.assert_array_equal(new.blocks.layers.attention.cache.index, [1, 1, 1])
    assert (
        jax.tree.leaves(px.parameters(new).blocks.layers.attention.cache) == []
    )  # state, not trained


def test_decoding_a_single_layer_in_a_fori_loop_equals_the_full_prefix(getkey):
    mha = nn.MultiHeadAttention(2, 8, rotary=True, key=getkey())
    x = jax.random.normal(getkey(), (3, 6, 8))

    @px.jit
    def decode(mha, x):
        def body(i, carry):
            mha, out = carry
            token = jax.lax.dynamic_slice_in_dim(x, i, 1, axis=1)
            mha, y = px.purecall(mha, token, token, token, causal=True)
            return mha, jax.lax.dynamic_update_slice_in_dim(out, y, i, axis=1)

        return px.fori_loop(0, x.shape[1], body, (mha, jnp.zeros_like(x)))

    decoded, out = decode(mha.init_cache(3, 6), x)
    np.testing.assert_allclose(out, mha(x, x, x, causal=True), rtol=1e-5, atol=1e-5)
    assert int(decoded.cache.index) == 6


def test_decoding_past_max_length_is_refused_or_nan_under_a_trace(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey()).init_cache(1, 2)
    x = jnp.ones((1, 1, 8))
    mha, _ = px.purecall(mha, x, x, x)
    mha, _ = px.purecall(mha, x, x, x)
    with pytest.raises(
        px.ArgumentError,
        match=r"holds 2 of its max_length=2 positions, so 1 more do not fit",
    ):
        px.purecall(mha, x, x, x)
    _, y = px.jit(lambda m, x: px.purecall(m, x, x, x))(mha, x)
    assert np.isnan(np.asarray(y)).all()


def test_a_cache_refuses_inputs_of_another_batch_or_cross_attention(getkey):
    mha = nn.MultiHeadAttention(2, 8, key=getkey()).init_cache(2, 4)
    x = jnp.ones((3, 1, 8))
    with pytest.raises(px.ArgumentError, match=r"cache's batch axes \(2,\)"):
        px.purecall(mha, x, x, x)
    q, kv = jnp.ones((2, 1, 8)), jnp.ones((2, 3, 8))
    with pytest.raises(px.ArgumentError, match="self-attention"):
        px.purecall(mha, q, kv, kv)


def test_init_cache_refuses_a_model_without_attention_and_bad_sizes(getkey):
    with pytest.raises(px.ArgumentError, match="holds no nn.MultiHeadAttention"):
        nn.init_cache(nn.Linear(2, 2, key=getkey()), 1, 4)
    with pytest.raises(px.ArgumentError, match="must be positive whole numbers"):
        nn.MultiHeadAttention(2, 8, key=getkey()).init_cache(1, 0)


def test_cached_decoding_matches_flax_nnx_decode(getkey):
    mha = nn.MultiHeadAttention(4, 16, key=getkey())
    theirs = flax_copy(mha)
    theirs.init_cache((2, 5, 16))
    x = jax.random.normal(getkey(), (2, 5, 16))
    decoder = mha.init_cache(2, 5)
    for t in range(5):
        token = x[:, t : t + 1]
        decoder, ours = px.purecall(decoder, token, token, token, causal=True)
        np.testing.assert_allclose(
            ours, theirs(token, token, token, decode=True), rtol=1e-5, atol=1e-5
        )
