"""Orbax saves and restores purepax models and optimizers (they are pytrees), with an
abstract, sharded target from `jax.eval_shape` (docs/checkpointing.md, "Orbax")."""

from __future__ import annotations

import jax
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest
from helpers import filled

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Model(px.Module):
    hidden: nn.Linear
    out: nn.Linear
    drop: nn.Dropout

    def __init__(self, *, key):
        k1, k2, k3 = jax.random.split(key, 3)
        self.hidden = nn.Linear(3, 4, sharding=(None, "model"), key=k1)
        self.out = nn.Linear(4, 2, sharding=("model", None), key=k2)
        self.drop = nn.Dropout(0.1, key=k3)

    def __call__(self, x):
        return self.out(jax.nn.relu(self.hidden(x)))


@pytest.fixture(scope="module")
def saved():
    """A model and its Adam state on a one-device mesh, every array random (moments too)."""
    mesh = jax.make_mesh((1,), ("model",))
    model = px.shard(filled(jax.eval_shape(lambda: Model(key=jax.random.key(0)))), mesh)
    opt = jax.eval_shape(lambda m: Optimizer(optax.adam(1e-2), m), model)
    return mesh, model, px.shard(filled(opt, seed=1), mesh)


def _abstract_target(mesh):
    """Shapes, dtypes and shardings of a model and its optimizer; no array is allocated."""
    model = jax.eval_shape(lambda: Model(key=jax.random.key(1)))
    opt = jax.eval_shape(lambda m: Optimizer(optax.adam(1e-2), m), model)
    return {"model": px.shard(model, mesh), "opt": px.shard(opt, mesh)}


def _assert_same(restored, original):
    # Static values (the optax functions, the configuration) come from the target.
    assert type(restored["model"]) is Model and type(restored["opt"]) is Optimizer
    leaves = jax.tree_util.tree_leaves(restored), jax.tree_util.tree_leaves(original)
    assert len(leaves[0]) == len(leaves[1])
    for got, want in zip(*leaves):
        if jax.dtypes.issubdtype(want.dtype, jax.dtypes.prng_key):
            got, want = jax.random.key_data(got), jax.random.key_data(want)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_standard_checkpointer_restores_a_model_and_optimizer_into_an_abstract_sharded_target(
    tmp_path, saved
):
    mesh, model, opt = saved
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "checkpoint", {"model": model, "opt": opt})
    checkpointer.wait_until_finished()

    target = _abstract_target(mesh)
    restored = checkpointer.restore(tmp_path / "checkpoint", target)
    _assert_same(restored, {"model": model, "opt": opt})
    weight = restored["model"].hidden.weight
    assert weight.sharding == target["model"].hidden.weight.sharding
    assert restored["opt"].tx is target["opt"].tx


def test_checkpoint_manager_keeps_steps_and_restores_the_latest(tmp_path, saved):
    mesh, model, opt = saved
    options = ocp.CheckpointManagerOptions(max_to_keep=2)
    with ocp.CheckpointManager(tmp_path / "run", options=options) as manager:
        for step in range(3):
            values = filled(jax.eval_shape(lambda: model), seed=10 + step)
            state = {"model": px.shard(values, mesh), "opt": opt}
            manager.save(step, args=ocp.args.StandardSave(state))
        manager.wait_until_finished()
        assert manager.all_steps() == [1, 2]
        restored = manager.restore(
            manager.latest_step(), args=ocp.args.StandardRestore(_abstract_target(mesh))
        )
    _assert_same(restored, state)
