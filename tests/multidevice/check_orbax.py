"""Orbax and px.load_safetensors restoring a model and its optimizer split over 8 CPU
devices: each array lands with the sharding of the abstract target."""

from __future__ import annotations

import jax
import numpy as np
import optax
import orbax.checkpoint as ocp
from helpers import filled

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Model(px.Module):
    hidden: nn.Linear
    out: nn.Linear

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.hidden = nn.Linear(4, 8, sharding=(None, "model"), key=k1)
        self.out = nn.Linear(8, 2, sharding=("model", None), key=k2)


def _target(mesh):
    model = jax.eval_shape(lambda: Model(key=jax.random.key(0)))
    opt = jax.eval_shape(lambda m: Optimizer(optax.adam(1e-3), m), model)
    return {"model": px.shard(model, mesh), "opt": px.shard(opt, mesh)}


def _check(restored, target, original):
    for got, like, want in zip(
        jax.tree_util.tree_leaves(restored),
        jax.tree_util.tree_leaves(target),
        jax.tree_util.tree_leaves(original),
        strict=True,
    ):
        assert got.sharding == like.sharding
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_orbax_restores_into_a_target_split_another_way(tmp_path):
    saved_on = jax.make_mesh((2, 4), ("data", "model"))
    state = {
        name: px.shard(filled(tree), saved_on)
        for name, tree in _target(saved_on).items()
    }
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", state)
    checkpointer.wait_until_finished()
    target = _target(jax.make_mesh((1, 8), ("data", "model")))  # the target decides
    restored = checkpointer.restore(tmp_path / "checkpoint", target)
    weight = restored["model"].hidden.weight
    assert weight.sharding.spec == jax.sharding.PartitionSpec(None, "model")
    assert len({str(shard.index) for shard in weight.addressable_shards}) == 8
    _check(restored, target, state)


def test_load_safetensors_places_each_array_with_the_sharding_of_like(tmp_path):
    mesh = jax.make_mesh((2, 4), ("data", "model"))
    model = px.shard(filled(jax.eval_shape(lambda: Model(key=jax.random.key(0)))), mesh)
    px.save_safetensors(tmp_path / "model.safetensors", model)
    like = _target(mesh)["model"]
    loaded = px.load_safetensors(tmp_path / "model.safetensors", like=like)
    assert len(loaded.out.weight.addressable_shards) == 8
    _check(loaded, like, model)
