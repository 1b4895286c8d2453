"""px.Stacked / px.stack: n blocks held as one, built under vmap, applied with lax.scan."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.sharding import PartitionSpec
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px

DIM = 8
TRACES = {"block": 0}


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: jax.Array):
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x):
        return x @ self.weight + self.bias


class Norm(px.Module):
    scale: Float[Array, "d"]

    def __call__(self, x):
        x = x - x.mean(-1, keepdims=True)
        return x * jax.lax.rsqrt((x**2).mean(-1, keepdims=True) + 1e-5) * self.scale


class Dropout(px.StateModule):
    """Keeps its PRNG key as state and advances it on every training call."""

    key: PRNGKeyArray
    rate: float = px.static(default=0.25)

    def __call__(self, x):
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1 - self.rate, x.shape)
        return jnp.where(keep, x / (1 - self.rate), 0.0)


class Block(px.Module):
    """A small pre-norm transformer block: causal attention and an MLP, dropout inside."""

    norm: Norm
    qkv: Linear
    out: Linear
    up: Linear
    down: Linear
    dropout: Dropout
    heads: int = px.static(default=2)

    def __init__(self, dim: int, *, key: jax.Array, rate: float = 0.25):
        k1, k2, k3, k4, k5 = jax.random.split(key, 5)
        self.norm = Norm(jnp.ones(dim))
        self.qkv = Linear(dim, 3 * dim, key=k1)
        self.out = Linear(dim, dim, key=k2)
        self.up = Linear(dim, 2 * dim, key=k3)
        self.down = Linear(2 * dim, dim, key=k4)
        self.dropout = Dropout(k5, rate)

    def __call__(self, x, mask=None):
        TRACES["block"] += 1
        t, d = x.shape[-2:]
        q, k, v = jnp.split(self.qkv(self.norm(x)), 3, axis=-1)

        def heads(a):
            return a.reshape(*a.shape[:-1], self.heads, d // self.heads).swapaxes(
                -2, -3
            )

        scores = heads(q) @ heads(k).swapaxes(-1, -2) / (d // self.heads) ** 0.5
        causal = jnp.tril(jnp.ones((t, t), bool))
        scores = jnp.where(causal if mask is None else causal & mask, scores, -1e9)
        attended = (jax.nn.softmax(scores) @ heads(v)).swapaxes(-2, -3).reshape(x.shape)
        x = x + self.dropout(self.out(attended))
        return x + self.down(jax.nn.gelu(self.up(self.norm(x))))


class Plain(px.Module):
    """A block that only reads: a residual linear layer."""

    linear: Linear

    def __init__(self, dim: int, *, key: jax.Array):
        self.linear = Linear(dim, dim, key=key)

    def __call__(self, x, scale=1.0):
        TRACES["block"] += 1
        return x + scale * jnp.tanh(self.linear(x))


def make_block(key):
    return Block(DIM, key=key)


@pytest.fixture
def x(getkey):
    return jax.random.normal(getkey(), (2, 5, DIM))


@pytest.fixture
def keys(getkey):
    return jax.random.split(getkey(), 4)


def leaves_equal(a, b):
    def data(leaf):
        return (
            jax.random.key_data(leaf)
            if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)
            else leaf
        )

    assert jax.tree.structure(a) == jax.tree.structure(b)
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(data(u), data(v))


def loop(blocks, x, *args, **kwargs):
    """The reference: the blocks called one after the other in Python."""
    new = []
    for block in blocks:
        block, x = px.purecall(block, x, *args, **kwargs)
        new.append(block)
    return tuple(new), x


# --- construction ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", [False, True], ids=["typed keys", "raw uint32 keys"])
def test_block_i_equals_make_of_key_i(raw, getkey):
    keys = jax.random.split(jax.random.PRNGKey(3) if raw else getkey(), 3)
    stacked = px.stack(make_block, keys)
    assert type(stacked) is px.Stacked and type(stacked.layers) is Block
    assert stacked.layers.qkv.weight.shape == (3, DIM, 3 * DIM)
    assert stacked.layers.norm.scale.shape == (
        3,
        DIM,
    )  # made without the key: broadcast
    for i in range(3):
        leaves_equal(stacked[i], make_block(keys[i]))


def test_make_runs_once_under_vmap(keys):
    calls = []

    def make(key):
        calls.append(key)
        return make_block(key)

    px.stack(make, keys)
    assert len(calls) == 1


def test_block_annotations_are_checked_per_block(keys):
    class Bad(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

    with pytest.raises(px.FieldError, match="Bad"):
        px.stack(lambda key: Bad(jax.random.normal(key, (3, 4)), jnp.zeros(5)), keys)
    stacked = px.stack(
        lambda key: Bad(jax.random.normal(key, (3, 4)), jnp.zeros(4)), keys
    )
    assert stacked.layers.weight.shape == (4, 3, 4)  # "i o" describes one block


def test_stack_of_blocks_round_trips(keys):
    stacked = px.stack(make_block, keys, remat=True, unroll=2)
    blocks = stacked.unstack()
    assert len(blocks) == 4 and all(type(b) is Block for b in blocks)
    again = px.stack(blocks, remat=True, unroll=2)
    leaves_equal(again, stacked)
    assert (again.remat, again.unroll) == (True, 2)
    leaves_equal(px.stack(list(stacked)), px.stack(make_block, keys))


@pytest.mark.parametrize(
    "change, where",
    [
        (
            lambda b: Plain(DIM, key=jax.random.key(0)),
            r"blocks\[2\] is a Plain module, where block 0 has a Block module",
        ),
        (
            lambda b: px.replace(b, heads=4),
            r"blocks\[2\]\.heads is 4, where block 0 has 2 \(a static field\)",
        ),
        (
            lambda b: px.eval_mode(b),
            r"blocks\[2\]\.training is False, where block 0 has True",
        ),
        (
            lambda b: px.replace(b, norm=Norm(jnp.ones(DIM + 1))),
            r"blocks\[2\]\.norm\.scale is an array of shape \(9,\) and dtype float32, where block 0 has "
            r"an array of shape \(8,\)",
        ),
        (
            lambda b: px.replace(b, norm=Norm(jnp.ones(DIM, jnp.float16))),
            r"blocks\[2\]\.norm\.scale is an array of shape \(8,\) and dtype float16",
        ),
    ],
    ids=["class", "static value", "training flag", "shape", "dtype"],
)
def test_stacking_different_blocks_names_the_first_difference(change, where, keys):
    blocks = list(px.stack(make_block, keys).unstack())
    blocks[2] = change(blocks[2])
    with pytest.raises(px.FieldError, match=where):
        px.stack(blocks)


def test_stack_refuses_what_it_cannot_stack(keys):
    with pytest.raises(TypeError, match="one PRNG key per block"):
        px.stack(make_block, keys[0])
    with pytest.raises(TypeError, match="one PRNG key per block"):
        px.stack(make_block, jax.random.PRNGKey(0))  # one raw key, not (n, 2)
    with pytest.raises(TypeError, match="sequence of blocks"):
        px.stack(make_block(keys[0]))
    with pytest.raises(ValueError, match="at least one block"):
        px.stack([])
    with pytest.raises(TypeError, match="must return a purepax module"):
        px.stack(lambda key: jax.random.normal(key, (2,)), keys)
    with pytest.raises(px.FieldError, match="remat"):
        px.stack(make_block, keys, remat="yes")  # type: ignore[call-overload]


def test_stack_can_be_built_abstractly(keys):
    like = jax.eval_shape(lambda k: px.stack(make_block, k), keys)
    assert type(like) is px.Stacked
    assert like.layers.qkv.weight.shape == (4, DIM, 3 * DIM)


# --- indexing ---------------------------------------------------------------------------


def test_indexing_length_and_iteration(keys):
    stacked = px.stack(make_block, keys)
    assert len(stacked) == 4 and bool(stacked)
    leaves_equal(stacked[-1], stacked[3])
    leaves_equal(stacked[-4], make_block(keys[0]))
    for i, block in enumerate(stacked):
        leaves_equal(block, make_block(keys[i]))
    with pytest.raises(IndexError, match="out of range for a stack of 4"):
        stacked[4]
    with pytest.raises(IndexError):
        stacked[-5]
    middle = stacked[1:3]
    assert type(middle) is px.Stacked and len(middle) == 2
    leaves_equal(middle[0], stacked[1])


# --- calling ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [{}, {"unroll": 2}, {"remat": True}], ids=["scan", "unroll=2", "remat"]
)
def test_read_only_call_equals_the_python_loop(options, keys, x):
    stacked = px.eval_mode(px.stack(make_block, keys, **options))
    y = stacked(x)  # a read-only call: no px.pure needed
    _, want = loop(stacked.unstack(), x)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)


def test_extra_arguments_are_shared_by_every_block(keys, x):
    stacked = px.stack(lambda k: Plain(DIM, key=k), keys)
    y = stacked(x, scale=0.5)
    _, want = loop(stacked.unstack(), x, scale=0.5)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    mask = jnp.ones((5, 5), bool).at[:, 0].set(False) | jnp.eye(5, dtype=bool)
    blocks = px.eval_mode(px.stack(make_block, keys))
    _, want = loop(blocks.unstack(), x, mask=mask)
    np.testing.assert_allclose(blocks(x, mask=mask), want, rtol=1e-5, atol=1e-6)


def _scan_equations(jaxpr):
    return [e for e in jaxpr.eqns if e.primitive.name == "scan"]


def test_read_only_call_does_not_carry_the_blocks_out(keys, x):
    stacked = px.eval_mode(px.stack(make_block, keys))
    jaxpr = jax.make_jaxpr(lambda s, x: s(x))(stacked, x).jaxpr
    (scan,) = _scan_equations(jaxpr)
    assert len(scan.outvars) == 1  # x alone: no block leaf comes back out


def test_mutating_call_outputs_only_the_changed_state(keys, x):
    stacked = px.stack(make_block, keys)
    jaxpr = jax.make_jaxpr(lambda s, x: px.purecall(s, x))(stacked, x).jaxpr
    (scan,) = _scan_equations(jaxpr)
    assert len(scan.outvars) == 2  # x, and the dropout keys
    assert scan.outvars[1].aval.shape[0] == 4


@pytest.mark.parametrize(
    "remat",
    [False, True, jax.checkpoint_policies.nothing_saveable],
    ids=["plain", "remat", "policy"],
)
def test_block_code_is_traced_once(remat, keys, x):
    stacked = px.stack(make_block, keys, remat=remat)

    @px.jit
    def step(model, x):
        def loss(model, x):
            model, y = px.purecall(model, x)
            return jnp.mean(y**2), model

        grads, model = px.grad(loss, has_aux=True)(model, x)
        return grads, model

    TRACES["block"] = 0
    step(stacked, x)
    assert TRACES["block"] == 1
    step(stacked, x)
    assert TRACES["block"] == 1  # compiled: not traced again


def test_each_block_keeps_its_own_updates(keys, x):
    stacked = px.stack(make_block, keys)
    new, y = px.purecall(stacked, x)
    blocks, want = loop(stacked.unstack(), x)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    leaves_equal(new, px.stack(blocks))
    # every key moved on, and the blocks' keys differ from each other
    old_keys = jax.random.key_data(stacked.layers.dropout.key)
    new_keys = jax.random.key_data(new.layers.dropout.key)
    assert not np.any(np.all(old_keys == new_keys, axis=-1))
    assert len({tuple(k) for k in np.asarray(new_keys)}) == 4
    leaves_equal(new.layers.qkv, stacked.layers.qkv)  # parameters untouched
    np.testing.assert_array_equal(
        jax.random.key_data(stacked.layers.dropout.key), old_keys
    )  # input unchanged


def test_mutating_call_inside_jit_and_a_parent_module(keys, x):
    class Model(px.Module):
        blocks: px.Stacked[Block]
        head: Linear

        def __call__(self, x):
            return self.head(self.blocks(x))

    model = Model(px.stack(make_block, keys), Linear(DIM, 3, key=keys[0]))

    @px.jit
    def forward(model, x):
        return px.purecall(model, x)

    new, y = forward(model, x)
    blocks, h = loop(model.blocks.unstack(), x)
    np.testing.assert_allclose(y, model.head(h), rtol=1e-5, atol=1e-6)
    leaves_equal(new.blocks, px.stack(blocks))


def test_mutating_call_outside_pure_is_refused(keys, x):
    stacked = px.stack(make_block, keys)
    with pytest.raises(
        px.ImmutableModuleError, match=r"Block\.dropout\.key set.*purecall"
    ):
        stacked(x)
    with pytest.raises(px.ImmutableModuleError):
        jax.jit(lambda s, x: s(x))(stacked, x)


def test_an_unreturned_mutated_stack_is_an_error(keys, x):
    @px.pure
    def forward(stacked, x):
        return stacked(x)

    with pytest.raises(px.UnreturnedUpdateError, match="Stacked"):
        forward(px.stack(make_block, keys), x)


def test_eval_mode_reaches_the_blocks(keys, x):
    stacked = px.stack(make_block, keys)
    evaluated = px.eval_mode(stacked)
    assert evaluated.layers.training is False and evaluated[0].dropout.training is False
    new, y = px.purecall(evaluated, x)
    leaves_equal(
        new, evaluated
    )  # dropout is the identity in eval mode: nothing changes
    assert px.train_mode(evaluated)[1].dropout.training is True


def test_a_block_must_keep_the_shape_of_x(keys):
    class Widen(px.Module):
        weight: jax.Array

        def __call__(self, x):
            return x @ self.weight

    stacked = px.stack(lambda k: Widen(jax.random.normal(k, (4, 6))), keys)
    with pytest.raises(
        TypeError, match=r"Widen maps x of shape \(2, 4\).*to shape \(2, 6\)"
    ):
        stacked(jnp.ones((2, 4)))


# --- with the rest ------------------------------------------------------------------------


def _loss(model, x):
    model, y = px.purecall(model, x)
    return jnp.mean(jnp.sin(y) ** 2)


def _loop_loss(blocks, x):
    _, y = loop(blocks, x)
    return jnp.mean(jnp.sin(y) ** 2)


@pytest.mark.parametrize(
    "remat",
    [False, True, jax.checkpoint_policies.dots_with_no_batch_dims_saveable],
    ids=["plain", "remat", "policy"],
)
def test_gradient_is_a_stack_equal_to_the_loops(remat, keys, x):
    stacked = px.eval_mode(px.stack(make_block, keys, remat=remat))
    grads = px.grad(_loss)(stacked, x)
    assert type(grads) is px.Stacked and type(grads.layers) is Block
    assert grads.layers.dropout.key is None  # state: held fixed
    want = px.grad(_loop_loss)(stacked.unstack(), x)
    for got, expected in zip(jax.tree.leaves(grads), jax.tree.leaves(px.stack(want))):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_gradient_with_dropout_equals_the_loops(keys, x):
    stacked = px.stack(make_block, keys)
    grads = px.grad(_loss)(stacked, x)
    want = px.grad(_loop_loss)(stacked.unstack(), x)
    for got, expected in zip(jax.tree.leaves(grads), jax.tree.leaves(px.stack(want))):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_remat_policy_recomputes_in_the_backward_pass(keys, x):
    stacked = px.eval_mode(
        px.stack(make_block, keys, remat=jax.checkpoint_policies.nothing_saveable)
    )
    text = str(jax.make_jaxpr(px.grad(_loss))(stacked, x))
    assert "checkpoint" in text or "remat" in text
    plain = str(jax.make_jaxpr(px.grad(_loss))(px.replace(stacked, remat=False), x))
    assert "checkpoint" not in plain and "remat" not in plain


def test_parameters_and_update_parameters(keys):
    stacked = px.stack(make_block, keys)
    params = px.parameters(stacked)
    assert type(params) is px.Stacked and params.layers.dropout.key is None
    assert params.layers.qkv.weight.shape == (4, DIM, 3 * DIM)
    doubled = px.update_parameters(stacked, jax.tree.map(lambda p: 2 * p, params))
    np.testing.assert_allclose(doubled[2].up.weight, 2 * stacked[2].up.weight)
    leaves_equal(doubled.layers.dropout, stacked.layers.dropout)


def test_partition_specs_replicate_the_block_axis(keys):
    class Sharded(px.Module):
        weight: jax.Array = px.param(sharding=(None, "model"))
        bias: jax.Array = px.param()

        def __call__(self, x):
            return x @ self.weight + self.bias

    stacked = px.stack(
        lambda k: Sharded(jax.random.normal(k, (4, 4)), jnp.zeros(4)), keys
    )
    specs = px.partition_specs(stacked)
    assert type(specs) is px.Stacked
    assert specs.layers.weight == PartitionSpec(None, None, "model")
    assert tuple(specs.layers.bias) in ((), (None,))  # replicated either way
    assert jax.tree.structure(
        specs, is_leaf=lambda s: isinstance(s, PartitionSpec)
    ) == jax.tree.structure(stacked)


def test_a_short_training_run_lowers_the_loss(getkey):
    vocab, length = 11, 6
    tokens = jax.random.randint(getkey(), (4, length + 1), 0, vocab)

    class LM(px.Module):
        embed: jax.Array
        blocks: px.Stacked[Block]
        head: Linear

        def __call__(self, ids):
            return self.head(self.blocks(self.embed[ids]))

    model = LM(
        jax.random.normal(getkey(), (vocab, DIM)),
        px.stack(make_block, jax.random.split(getkey(), 3), remat=True),
        Linear(DIM, vocab, key=getkey()),
    )

    def loss(model, tokens):
        model, logits = px.purecall(model, tokens[:, :-1])
        logp = jax.nn.log_softmax(logits)
        nll = -jnp.take_along_axis(logp, tokens[:, 1:, None], axis=-1).mean()
        return nll, model

    @px.jit
    def step(model, tokens):
        (value, model), grads = px.value_and_grad(loss, has_aux=True)(model, tokens)
        params = jax.tree.map(lambda p, g: p - 0.3 * g, px.parameters(model), grads)
        return px.update_parameters(model, params), value

    losses = []
    for _ in range(15):
        model, value = step(model, tokens)
        losses.append(float(value))
    assert losses[-1] < 0.7 * losses[0]
    assert not np.array_equal(
        jax.random.key_data(model.blocks.layers.dropout.key),
        jax.random.key_data(step(model, tokens)[0].blocks.layers.dropout.key),
    )


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 5),
    i=st.integers(1, 4),
    o=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_stack_and_unstack_are_inverse(n, i, o, seed):
    keys = jax.random.split(jax.random.key(seed), n)
    blocks = [Linear(i, o, key=k) for k in keys]
    stacked = px.stack(blocks)
    assert len(stacked) == n
    for block, again in zip(blocks, stacked.unstack()):
        leaves_equal(again, block)
    leaves_equal(px.stack(stacked.unstack()), stacked)
    leaves_equal(
        px.stack(lambda k: Linear(i, o, key=k), keys), stacked
    )  # built under vmap: the same blocks
