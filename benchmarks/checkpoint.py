"""How fast are px.save / px.load, and how much memory does a save take?

A 100M-parameter float32 model (a stack of Linear layers, 400 MB) saved and loaded by
purepax, `numpy.savez` / `numpy.load`, `equinox.tree_serialise_leaves` /
`tree_deserialise_leaves` and, if importable, Orbax's `StandardCheckpointer`, on the same
arrays. Rounds are interleaved (every method once per round, in a shuffled order, so no
method always follows the same one) and the medians reported, with ratios to the fastest
of the others. Before each timed save, `os.sync()` (not timed) writes out what the
previous method left in the page cache: otherwise whatever syncs next (purepax's
`fsync`, on ext4 whose journal commits wait for other files' data) pays for the
previous method's deferred writes. purepax's save is atomic and durable (temporary file,
fsync, rename, directory fsync); the others do not sync to disk and leave the writing to
the kernel's background flusher, after the call returns: the table also shows purepax
with `os.fsync`/`os.fdatasync` patched out, to separate the format (checksums included)
from the durability. The machine's load average is printed with the table: on a shared
machine the figures move with it.

Peak extra memory during a save is measured in a fresh process per method: the peak
resident set (`VmHWM` in /proc/self/status, reset through /proc/self/clear_refs) above
the resident set just before the call.

    .venv/bin/python benchmarks/checkpoint.py [--layers 24] [--width 2048] [--rounds 5]

Goal (issue 12): purepax within 1.2x of the fastest; peak extra memory during save at
most one array.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

import purepax as px

jax.config.update("jax_platforms", "cpu")


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]


class Stack(px.Module):
    layers: tuple[Linear, ...]


def make_model(layers: int, width: int) -> Stack:
    rng = np.random.default_rng(0)
    return Stack(
        tuple(
            Linear(
                jnp.asarray(rng.standard_normal((width, width), dtype=np.float32)),
                jnp.asarray(rng.standard_normal((width,), dtype=np.float32)),
            )
            for _ in range(layers)
        )
    )


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    """`os.fsync` and `os.fdatasync` do nothing: the data stays in the page cache."""
    real = os.fsync, getattr(os, "fdatasync", None)
    os.fsync = os.fdatasync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real[0]
        if real[1] is not None:
            os.fdatasync = real[1]


def methods(
    model: Stack, folder: str
) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    like = jax.eval_shape(lambda: model)
    out: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
    path = os.path.join(folder, "purepax.ckpt")

    def px_load() -> Any:
        return jax.block_until_ready(px.load(path, like=like))

    out["purepax"] = (lambda: px.save(path, model), px_load)

    def px_save_nosync() -> None:
        with no_fsync():
            px.save(path, model)

    out["purepax (no fsync)"] = (px_save_nosync, px_load)

    npz = os.path.join(folder, "arrays.npz")
    leaves, treedef = jax.tree_util.tree_flatten(model)

    def np_save() -> None:
        np.savez(npz, *[np.asarray(x) for x in jax.tree_util.tree_leaves(model)])

    def np_load() -> Any:
        with np.load(npz) as f:
            arrays = [jnp.asarray(f[f"arr_{i}"]) for i in range(len(leaves))]
        return jax.block_until_ready(jax.tree_util.tree_unflatten(treedef, arrays))

    out["numpy.savez"] = (np_save, np_load)

    try:
        import equinox as eqx
    except ImportError:
        pass
    else:
        eqx_path = os.path.join(folder, "model.eqx")
        out["equinox"] = (
            lambda: eqx.tree_serialise_leaves(eqx_path, model),
            lambda: jax.block_until_ready(eqx.tree_deserialise_leaves(eqx_path, model)),
        )

    try:
        import orbax.checkpoint as ocp
    except ImportError:
        pass
    else:
        checkpointer = ocp.StandardCheckpointer()
        arrays = {str(i): x for i, x in enumerate(leaves)}
        target = {
            k: jax.ShapeDtypeStruct(v.shape, v.dtype, sharding=v.sharding)
            for k, v in arrays.items()
        }
        orbax_dir = os.path.join(folder, "orbax")

        def orbax_save() -> None:
            shutil.rmtree(orbax_dir, ignore_errors=True)
            checkpointer.save(orbax_dir, arrays)
            checkpointer.wait_until_finished()

        out["orbax"] = (
            orbax_save,
            lambda: jax.block_until_ready(checkpointer.restore(orbax_dir, target)),
        )
    return out


def peak_memory(name: str, layers: int, width: int) -> int:
    """Peak extra resident memory (bytes) of one save by `name`, in a fresh process."""
    code = f"""
import sys, os, json, tempfile
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import checkpoint as bench
model = bench.make_model({layers}, {width})
folder = tempfile.mkdtemp()
save, _ = bench.methods(model, folder)[{name!r}]
save()  # warm up imports and caches
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS:")
save()
print(json.dumps(status("VmHWM:") - before))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=24)
    parser.add_argument("--width", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()

    load_before = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    model = make_model(args.layers, args.width)
    n = sum(x.size for x in jax.tree_util.tree_leaves(model))
    largest = max(x.nbytes for x in jax.tree_util.tree_leaves(model))
    folder = tempfile.mkdtemp()
    try:
        table = methods(model, folder)
        for save, load in table.values():  # warm up
            save()
            load()
        times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in table}
        order = random.Random(0)
        for _ in range(args.rounds):
            names = list(table)
            order.shuffle(names)
            for name in names:
                save, load = table[name]
                os.sync()
                start = time.perf_counter()
                save()
                middle = time.perf_counter()
                load()
                times[name][0].append(middle - start)
                times[name][1].append(time.perf_counter() - middle)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    medians = {
        k: (statistics.median(s), statistics.median(l)) for k, (s, l) in times.items()
    }
    # the ratios are to the fastest baseline, so that purepax's own rows can show below 1
    baselines = [v for k, v in medians.items() if not k.startswith("purepax")]
    best_save = min(s for s, _ in baselines)
    best_load = min(l for _, l in baselines)
    print(
        f"{n / 1e6:.1f}M float32 parameters ({n * 4 / 2**20:.0f} MiB) in {2 * args.layers} arrays; "
        f"largest array {largest / 2**20:.0f} MiB; median of {args.rounds} interleaved rounds; "
        f"{os.cpu_count()} CPUs, load average {load_before} before, "
        + "{:.2f} {:.2f} {:.2f} after".format(*os.getloadavg())
    )
    print(
        f"{'method':20} {'save s':>8} {'x best':>7} {'load s':>8} {'x best':>7} {'save peak extra MiB':>20}"
    )
    for name, (s, l) in medians.items():
        extra = (
            ""
            if args.no_memory
            else f"{peak_memory(name, args.layers, args.width) / 2**20:20.0f}"
        )
        print(
            f"{name:20} {s:8.3f} {s / best_save:7.2f} {l:8.3f} {l / best_load:7.2f} {extra}"
        )


if __name__ == "__main__":
    main()
