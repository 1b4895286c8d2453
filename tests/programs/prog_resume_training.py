"""Resumable training: checkpoints of the model and optimizer, restored into an abstract target.

The job saves `(model, optimizer)` every few steps with `px.save` (an atomic write) and
keeps the last two checkpoints. A restarted job never initialises a model only to
overwrite it: it builds the target with `jax.eval_shape` (shapes and dtypes, no arrays)
and loads into it, newest checkpoint first, skipping one that cannot be read (here the
newest, cut short by a copy that was interrupted). The model holds dropout with its own
key, so the resumed run must restore state and optimizer moments exactly: it ends
bit-for-bit where an uninterrupted run does.

A save of the abstract target itself (a slip when the target and the model have similar
names) is refused with `px.CheckpointError`, and the checkpoint it would have replaced
still loads.
"""

import os
import tempfile
from pathlib import Path

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

SEED = 0
SAVE_EVERY = 5


class Model(px.Module):
    embed: nn.Linear
    norm: nn.LayerNorm
    dropout: nn.Dropout
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = nn.Linear(4, 16, key=k1)
        self.norm = nn.LayerNorm(16)
        self.dropout = nn.Dropout(0.1, key=k2)
        self.head = nn.Linear(16, 1, key=k3)

    def __call__(self, x: Float[Array, "b 4"]) -> Float[Array, "b 1"]:
        return self.head(self.dropout(jax.nn.gelu(self.norm(self.embed(x)))))


def setup() -> tuple[Model, Optimizer]:
    model = Model(key=jax.random.key(SEED))
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-2, 5, 100)
    return model, Optimizer(optax.adamw(schedule, weight_decay=1e-4), model)


def batch(step: int) -> tuple[jax.Array, jax.Array]:
    x = jax.random.normal(jax.random.fold_in(jax.random.key(1), step), (16, 4))
    return x, jnp.sum(jnp.sin(x), axis=1, keepdims=True)


def loss_fn(model: Model, x: jax.Array, y: jax.Array) -> tuple[jax.Array, Model]:
    model, pred = px.purecall(model, x)  # dropout advances its key
    return jnp.mean((pred - y) ** 2), model


@px.jit
def train_step(model: Model, optimizer: Optimizer, x: jax.Array, y: jax.Array) -> tuple[Model, Optimizer, jax.Array]:
    (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


def train(model: Model, optimizer: Optimizer, start: int, stop: int, folder: Path | None) -> tuple[Model, Optimizer]:
    for step in range(start, stop):
        model, optimizer, _ = train_step(model, optimizer, *batch(step))
        if folder is not None and (step + 1) % SAVE_EVERY == 0:
            px.save(folder / f"step_{step + 1}.ckpt", (model, optimizer))
            for old in sorted(folder.glob("*.ckpt"), key=lambda p: int(p.stem[5:]))[:-2]:
                old.unlink()
    return model, optimizer


def resume(folder: Path) -> tuple[Model, Optimizer, int]:
    target = jax.eval_shape(setup)
    for path in sorted(folder.glob("*.ckpt"), key=lambda p: int(p.stem[5:]), reverse=True):
        try:
            model, optimizer = px.load(path, like=target)
        except px.CheckpointError as error:
            assert path.name in str(error) and "cut short" in str(error), error
            continue
        return model, optimizer, int(path.stem[5:])
    model, optimizer = setup()
    return model, optimizer, 0


def main() -> None:
    model, optimizer = setup()
    model, optimizer = train(model, optimizer, 0, 20, None)  # the uninterrupted run
    target = jax.eval_shape(setup)
    assert isinstance(target[0].embed.weight, jax.ShapeDtypeStruct)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, first_optimizer = setup()
        train(first, first_optimizer, 0, 15, folder)  # the job is killed after step 15
        assert sorted(p.name for p in folder.glob("*.ckpt")) == ["step_10.ckpt", "step_15.ckpt"]
        newest = folder / "step_15.ckpt"
        newest.write_bytes(newest.read_bytes()[: os.path.getsize(newest) // 2])  # an interrupted copy

        resumed, resumed_optimizer, start = resume(folder)
        assert start == 10
        assert isinstance(resumed.embed.weight, jax.Array) and int(resumed_optimizer.state[0].count) == 10
        resumed, resumed_optimizer = train(resumed, resumed_optimizer, start, 20, folder)
        for got, want in zip(jax.tree.leaves((resumed, resumed_optimizer)), jax.tree.leaves((model, optimizer))):
            assert jnp.array_equal(got, want)

        latest = folder / "step_20.ckpt"
        saved = latest.read_bytes()
        try:
            px.save(latest, target)  # meant: (resumed, resumed_optimizer)
        except px.CheckpointError as error:
            assert "ShapeDtypeStruct" in str(error) and "embed.weight" in str(error), error
        else:
            raise AssertionError("px.save wrote an abstract tree")
        assert latest.read_bytes() == saved
        again, _ = px.load(latest, like=target)
        assert jnp.array_equal(again.head.weight, resumed.head.weight)


if __name__ == "__main__":
    main()
