"""A tensor-parallel transformer block from purepax.nn layers on 8 CPU devices: layer
`sharding=` arguments, optimizer state sharded like the parameters, sharded save/load."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, Float, Int, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

# Mesh axis types exist from JAX 0.5; before, every axis is what later JAX calls Auto.
AXIS_TYPES = ["Explicit", "Auto"] if hasattr(jax.sharding, "AxisType") else [None]


class Block(px.Module):
    norm: nn.LayerNorm
    attention: nn.MultiHeadAttention
    mlp_in: nn.Linear
    mlp_out: nn.Linear

    def __init__(self, dim: int, axis: str | None, *, key: PRNGKeyArray):
        k1, k2, k3 = jax.random.split(key, 3)
        self.norm = nn.LayerNorm(dim)
        self.attention = nn.MultiHeadAttention(4, dim, sharding=axis, key=k1)
        self.mlp_in = nn.Linear(dim, 4 * dim, sharding=(None, axis), key=k2)
        self.mlp_out = nn.Linear(4 * dim, dim, sharding=(axis, None), key=k3)

    def __call__(self, x: Float[Array, "b t d"]) -> Float[Array, "b t d"]:
        h = self.norm(x)
        x = x + self.attention(h, h, h, causal=True)
        return x + self.mlp_out(jax.nn.gelu(self.mlp_in(self.norm(x))))


class LM(px.Module):
    embed: nn.Embedding
    blocks: px.Stacked[Block]
    head: nn.Linear

    def __init__(self, axis: str | None, *, key: PRNGKeyArray):
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = nn.Embedding(64, 16, sharding=(None, axis), key=k1)
        self.blocks = px.stack(
            lambda k: Block(16, axis, key=k), jax.random.split(k2, 2)
        )
        self.head = nn.Linear(16, 64, sharding=(None, axis), key=k3)

    def __call__(self, ids: Int[Array, "b t"]) -> Float[Array, "b t v"]:
        return self.head(self.blocks(self.embed(ids)))


def loss(model: LM, ids: jax.Array) -> jax.Array:
    # One-hot targets: with the vocabulary split over Explicit axes, picking out each
    # target's logit would be a gather that JAX asks an out_sharding for.
    return optax.softmax_cross_entropy(
        model(ids[:, :-1]), jax.nn.one_hot(ids[:, 1:], 64)
    ).mean()


def step(model: LM, opt: Optimizer, ids: jax.Array) -> tuple[LM, Optimizer, jax.Array]:
    value, grads = px.value_and_grad(loss)(model, ids)
    model, opt = opt.apply_gradients(model, grads)
    return model, opt, value


@pytest.fixture(params=AXIS_TYPES, ids=lambda t: str(t).lower())
def mesh(request):
    if request.param is None:
        return jax.make_mesh((2, 4), ("data", "model"))
    axis_type = getattr(jax.sharding.AxisType, request.param)
    return jax.make_mesh((2, 4), ("data", "model"), axis_types=(axis_type,) * 2)


def named(mesh, tree):
    return jax.tree.map(
        lambda spec: NamedSharding(mesh, spec), px.partition_specs(tree)
    )


def test_layer_shardings_become_partition_specs():
    specs = px.partition_specs(LM("model", key=jax.random.key(0)))
    block = specs.blocks.layers
    assert block.attention.q_proj.weight == P(
        None, None, "model"
    )  # leading: the block axis
    assert block.attention.q_proj.bias == P(None, "model")
    assert block.attention.out_proj.weight == P(None, "model", None)
    assert block.attention.out_proj.bias == P(None, None)
    assert block.mlp_in.weight == P(None, None, "model") and block.mlp_out.weight == P(
        None, "model", None
    )
    assert specs.embed.weight == P(None, "model") and specs.head.bias == P("model")
    assert block.norm.scale == P(None)  # no sharding chosen: replicated
    plain = px.partition_specs(LM(None, key=jax.random.key(0)))
    assert all(
        spec == P() or set(spec) == {None}
        for spec in jax.tree.leaves(plain, is_leaf=lambda s: isinstance(s, P))
    )


def test_a_tensor_parallel_train_step_equals_the_unsharded_one(mesh):
    model = LM("model", key=jax.random.key(0))
    # Plain SGD with momentum: Adam would turn the rounding noise of gradients that are
    # zero in exact arithmetic (the key projection's bias) into full-size steps.
    opt = Optimizer(optax.sgd(0.1, momentum=0.9), model)
    ids = jax.random.randint(jax.random.key(1), (8, 9), 0, 64)
    expected = jax.jit(step)(model, opt, ids)

    model_s, opt_s = px.shard(model, mesh), px.shard(opt, mesh)
    data = NamedSharding(mesh, P("data"))
    train = px.jit(
        step,
        in_shardings=(named(mesh, model), named(mesh, opt), data),
        out_shardings=(named(mesh, model), named(mesh, opt), NamedSharding(mesh, P())),
    )
    got = train(model_s, opt_s, jax.device_put(ids, data))
    q = got[0].blocks.layers.attention.q_proj.weight
    assert q.sharding.spec == P(None, None, "model")
    assert q.addressable_shards[0].data.shape == (
        2,
        16,
        4,
    )  # each device: a quarter of the heads
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_optimizer_state_is_sharded_like_the_parameters(mesh):
    model = LM("model", key=jax.random.key(0))
    tx = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.adamw(1e-2, mask=lambda p: jax.tree.map(lambda x: x.ndim >= 2, p)),
    )
    opt = px.shard(Optimizer(tx, model), mesh)
    moments = {k: v for k, v in opt.opt_state.items() if ".mu." in k or ".nu." in k}
    assert moments, list(opt.opt_state)
    for key, value in moments.items():
        path = key.split(".mu.")[-1].split(".nu.")[-1]
        if path == "blocks.layers.mlp_in.weight":
            assert value.sharding.spec == P(None, None, "model"), key
    counts = [v for k, v in opt.opt_state.items() if k.endswith("count")]
    assert counts and all(c.sharding.is_fully_replicated for c in counts)

    # The step keeps the layout: out_shardings from the optimizer itself.
    model = px.shard(model, mesh)
    train = px.jit(
        step,
        out_shardings=(named(mesh, model), named(mesh, opt), NamedSharding(mesh, P())),
    )
    _, opt2, _ = train(model, opt, jnp.zeros((8, 9), jnp.int32))
    for key in moments:
        assert opt2.opt_state[key].sharding.spec == opt.opt_state[key].sharding.spec, (
            key
        )
    assert opt2.structure is opt.structure or opt2.structure == opt.structure


def test_sharded_save_then_load_restores_values_and_shardings(mesh, tmp_path):
    model = px.shard(LM("model", key=jax.random.key(0)), mesh)
    opt = px.shard(Optimizer(optax.adam(1e-3), model), mesh)
    px.save(tmp_path / "ckpt", (model, opt))
    fresh = LM("model", key=jax.random.key(5))
    like = (px.shard(fresh, mesh), px.shard(Optimizer(optax.adam(1e-3), fresh), mesh))
    loaded = px.load(tmp_path / "ckpt", like=like)
    for a, b in zip(jax.tree.leaves(loaded), jax.tree.leaves((model, opt))):
        np.testing.assert_array_equal(a, b)
        assert a.sharding == b.sharding
    # An abstract `like` with shardings: the same placement, no model built first.
    abstract = jax.tree.map(
        lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s),
        model,
        named(mesh, model),
    )
    px.save(tmp_path / "model", model)
    restored = px.load(tmp_path / "model", like=abstract)
    assert restored.head.weight.sharding == NamedSharding(mesh, P(None, "model"))
    np.testing.assert_array_equal(restored.head.weight, model.head.weight)


def test_load_like_an_eval_shape_of_a_sharded_model(tmp_path):
    # On Explicit axes (JAX 0.7 and newer: jax.set_mesh), jax.eval_shape of a sharded model
    # gives shardings on an AbstractMesh, which names no devices: under the same mesh
    # px.load places the arrays there; without it, a CheckpointError that says so.
    explicit = hasattr(jax.sharding, "get_mesh")
    types = {"axis_types": (jax.sharding.AxisType.Explicit,) * 2} if explicit else {}
    mesh = jax.make_mesh((2, 4), ("data", "model"), **types)
    model = px.shard(LM("model", key=jax.random.key(0)), mesh)
    px.save(tmp_path / "model", model)
    abstract = jax.eval_shape(
        lambda: px.shard(LM("model", key=jax.random.key(1)), mesh)
    )
    if explicit:
        assert isinstance(abstract.head.weight.sharding.mesh, jax.sharding.AbstractMesh)
        with pytest.raises(
            px.CheckpointError, match=r"abstract mesh.*jax\.set_mesh\(mesh\)"
        ):
            px.load(tmp_path / "model", like=abstract)
        with jax.set_mesh(mesh):
            restored = px.load(tmp_path / "model", like=abstract)
    else:
        restored = px.load(tmp_path / "model", like=abstract)
    for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(model)):
        np.testing.assert_array_equal(a, b)
        if explicit:
            assert a.sharding.is_equivalent_to(b.sharding, a.ndim), (
                a.sharding,
                b.sharding,
            )


def test_px_shard_of_an_abstract_model_is_a_load_target(mesh, tmp_path):
    # jax.eval_shape keeps no sharding on Auto axes and only an AbstractMesh's on Explicit
    # ones: px.shard of its shapes puts them on the mesh, on both, with nothing built.
    model = px.shard(LM("model", key=jax.random.key(0)), mesh)
    opt = px.shard(Optimizer(optax.adam(1e-3), model), mesh)
    px.save(tmp_path / "ckpt", (model, opt))

    def fresh() -> tuple[LM, Optimizer]:
        new = LM("model", key=jax.random.key(1))
        return new, Optimizer(optax.adam(1e-3), new)

    shapes = jax.eval_shape(fresh)
    like = (px.shard(shapes[0], mesh), px.shard(shapes[1], mesh))
    assert like[0].head.weight.sharding == NamedSharding(mesh, P(None, "model"))
    assert (
        like[0].head.weight.shape == (16, 64)
        and like[0].head.weight.dtype == jnp.float32
    )
    loaded = px.load(tmp_path / "ckpt", like=like)
    for got, target, saved in zip(
        jax.tree.leaves(loaded), jax.tree.leaves(like), jax.tree.leaves((model, opt))
    ):
        assert got.sharding == target.sharding == saved.sharding, (
            got.sharding,
            target.sharding,
        )
        np.testing.assert_array_equal(got, saved)
