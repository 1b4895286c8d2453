"""The main job's train step sharded over 8 devices: `px.jit` against raw `jax.jit`.

The character LM of `examples/char_lm.py` (its default sizes) on a `data=2,model=4` mesh:
batches split over "data", attention heads, MLP units and the output vocabulary over
"model" (the layers' `sharding=`), optimizer state laid out like the parameters. Both
variants run the example's own step function on the same arrays with the same
`in_shardings`/`out_shardings` (from `px.partition_specs`): one through `px.jit` (as the
example does), one through `jax.jit`. Each round times `--steps` chained steps of each,
blocking once at the end; rounds are interleaved; the table gives medians and the ratio.

Then the example itself runs on this machine as 1 process with 8 devices and as 2
processes with 4 devices each (`--processes 2`, jax.distributed over 127.0.0.1, gloo),
and the table gives the tokens/s each logged (median over logged intervals after the
first). On a 2-core machine this checks that it runs, not that it scales.

    python benchmarks/sharded_step.py          # 8 forced CPU devices; about 3 minutes on 2 cores
    python benchmarks/sharded_step.py --gpu    # the devices this machine has (a GPU machine)
"""

from __future__ import annotations

import os
import sys

if "--gpu" not in sys.argv:
    os.environ["XLA_FLAGS"] = (
        f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=8".strip()
    )
    os.environ["JAX_PLATFORMS"] = "cpu"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P
from train_step import CONFIG, char_lm  # noqa: E402  (the example, loaded once, and its default sizes)

import purepax as px  # noqa: E402

EXAMPLE = Path(char_lm.__file__)


def time_steps(
    step: Any, model: Any, opt: Any, x: jax.Array, y: jax.Array, n: int
) -> tuple[float, Any, Any]:
    start = time.perf_counter()
    for _ in range(n):
        model, opt, loss = step(model, opt, x, y)
    jax.block_until_ready(loss)
    return (time.perf_counter() - start) / n, model, opt


def step_ratio(mesh_shape: tuple[int, int], rounds: int, steps: int) -> None:
    auto = (
        {"axis_types": (jax.sharding.AxisType.Auto,) * 2}
        if hasattr(jax.sharding, "AxisType")
        else {}
    )
    mesh = jax.make_mesh(mesh_shape, ("data", "model"), **auto)
    state = char_lm.new_state(CONFIG, mesh)
    ours = char_lm.sharded_train_step(state, mesh)
    named = lambda tree: jax.tree.map(
        lambda spec: NamedSharding(mesh, spec), px.partition_specs(tree)
    )  # noqa: E731
    data = NamedSharding(mesh, P("data"))
    raw = jax.jit(
        char_lm._train_step,
        in_shardings=(named(state.model), named(state.optimizer), data, data),
        out_shardings=(
            named(state.model),
            named(state.optimizer),
            NamedSharding(mesh, P()),
        ),
    )
    tokens = jax.numpy.asarray(np.frombuffer(char_lm.stdlib_text(400_000), np.uint8))
    x, y = (
        jax.device_put(a, data)
        for a in char_lm.get_batch(tokens, 0, 0, CONFIG["batch"], CONFIG["context"])
    )
    variants = {"purepax (px.jit)": ours, "raw JAX (jax.jit)": raw}
    carries = {name: (state.model, state.optimizer) for name in variants}
    # The same arrays, the same result: one step of each from the same state.
    first = {name: step(*carries[name], x, y)[2] for name, step in variants.items()}
    a, b = (float(v) for v in first.values())
    assert abs(a - b) < 1e-5, first
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, step in variants.items():
            seconds, *carry = time_steps(step, *carries[name], x, y, steps)
            carries[name] = (carry[0], carry[1])
            samples[name].append(seconds)
    medians = {name: statistics.median(s) * 1e3 for name, s in samples.items()}
    base = medians["raw JAX (jax.jit)"]
    print(
        f"\nsharded train step: mesh data={mesh_shape[0]},model={mesh_shape[1]} on {jax.device_count()} "
        f"{jax.devices()[0].platform} devices; {rounds} rounds x {steps} steps\n"
    )
    print(f"{'variant':<22} {'ms/step':>9} {'vs raw JAX':>11}")
    for name, ms in medians.items():
        print(f"{name:<22} {ms:>9.2f} {ms / base:>10.3f}x")


def tokens_per_s(processes: int, devices: int, mesh: str, steps: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            str(EXAMPLE),
            "--out",
            out,
            "--steps",
            str(steps),
            "--log-every",
            "10",
            "--eval-every",
            "100000",
            "--save-every",
            "100000",
            "--sample-length",
            "0",
            "--mesh",
            mesh,
            "--devices",
            str(devices),
            "--processes",
            str(processes),
        ]
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("XLA_FLAGS", "JAX_PLATFORMS")
        }
        subprocess.run(
            command, check=True, env=env, stdout=subprocess.DEVNULL, timeout=1200
        )
        rows = [
            json.loads(line)
            for line in Path(out, "metrics.jsonl").read_text().splitlines()
        ]
    return float(
        statistics.median(r["tokens_per_s"] for r in rows[1:])
    )  # the first interval compiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20, help="chained steps per round")
    parser.add_argument(
        "--run-steps",
        type=int,
        default=80,
        help="steps of each example run (1 vs 2 processes)",
    )
    parser.add_argument(
        "--gpu",
        action="store_true",
        help="use this machine's devices, not 8 forced CPU devices",
    )
    args = parser.parse_args()
    n = jax.device_count()
    shape = (2, n // 2) if n >= 2 and n % 2 == 0 else (1, n)
    step_ratio(shape, args.rounds, args.steps)
    if args.gpu:
        return
    mesh = f"data={shape[0]},model={shape[1]}"
    print(f"\nthe example (--mesh {mesh} --devices {n}), {args.run_steps} steps\n")
    print(f"{'processes':<10} {'tokens/s':>10}")
    for processes in (1, 2):
        print(
            f"{processes:<10} {tokens_per_s(processes, n, mesh, args.run_steps):>10,.0f}"
        )


if __name__ == "__main__":
    main()
